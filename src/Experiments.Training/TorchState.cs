using Experiments.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Experiments.Training;

/// <summary>Model, optimizer and RNG state to and from bytes, for checkpoint sections.</summary>
public static class TorchState
{
    // A trainer captures the same sizes of state every epoch (16.7 MB for the CNN at hidden 256): a
    // fresh MemoryStream grew and copied its way there each time, into memory the process had to
    // fault in anew. One stream per thread keeps its capacity, so a capture is a write into warm
    // memory and one copy out (docs/PERFORMANCE.md). It holds the thread's largest state until the
    // thread ends; trainers run on threads of their own.
    [ThreadStatic] private static MemoryStream? _scratch;

    public static byte[] Save(nn.Module module) => Serialise(writer => module.save(writer));

    public static byte[] Save(TorchSharp.Modules.OptimizerHelper optimizer) => Serialise(writer => optimizer.save_state_dict(writer));

    private static byte[] Serialise(Action<BinaryWriter> write)
    {
        var stream = _scratch ??= new MemoryStream();
        stream.SetLength(0);
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) write(writer);
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

    /// <summary>A trial's own generator state (CPU generators all share this byte format).</summary>
    public static byte[] Save(torch.Generator generator)
    {
        using var state = generator.get_state();
        return state.bytes.ToArray();
    }

    public static void Load(torch.Generator generator, byte[] bytes)
    {
        using var state = tensor(bytes, dtype: ScalarType.Byte);
        generator.set_state(state);
    }

    public static byte[] Section(string path, IReadOnlyDictionary<string, byte[]> sections, string name) =>
        sections.TryGetValue(name, out var bytes) ? bytes : throw new CheckpointException($"{path}: has no '{name}' section");
}

/// <summary>
/// Seeds of a trial's own generators, one stream per purpose, all derived from the trial's seed
/// (itself derived from sweep seed, config and fold).
/// </summary>
public static class TrialNoise
{
    public const ulong Dropout = 0xD60F_0A7Bul;
    public const ulong GanTraining = 0;

    public static ulong Seed(int trialSeed, ulong stream) => (ulong)trialSeed ^ stream;
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
