using Experiments.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Training;

/// <summary>Model, optimizer and RNG state to and from bytes, for checkpoint sections.</summary>
public static class TorchState
{
    public static byte[] Save(nn.Module module)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) module.save(writer);
        return stream.ToArray();
    }

    public static byte[] Save(TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
        return stream.ToArray();
    }

    public static void Load(nn.Module module, byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        module.load(reader);
    }

    public static void Load(TorchSharp.Modules.OptimizerHelper optimizer, byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        optimizer.load_state_dict(reader);
    }

    public static byte[] SaveRng()
    {
        using var state = random.get_rng_state();
        return state.bytes.ToArray();
    }

    public static void LoadRng(byte[] bytes)
    {
        using var state = tensor(bytes, dtype: ScalarType.Byte);
        random.set_rng_state(state);
    }

    public static byte[] Section(string path, IReadOnlyDictionary<string, byte[]> sections, string name) =>
        sections.TryGetValue(name, out var bytes) ? bytes : throw new CheckpointException($"{path}: has no '{name}' section");
}

/// <summary>
/// Seeded model construction. torch's default generator is process-wide, so two trainers built at
/// once on two threads would interleave their draws; the lock makes "same seed, same weights" hold.
/// </summary>
public static class SeededInit
{
    private static readonly Lock Gate = new();

    public static T Create<T>(int seed, Func<T> build)
    {
        TorchRuntime.EnsureLoaded();
        lock (Gate)
        {
            torch.manual_seed(seed);
            return build();
        }
    }
}
