using System.Security.Cryptography;
using Experiments.Training.Checkpoints;

namespace Experiments.Training.Tests.Checkpoints;

/// <summary>Checkpoints of plain bytes (no torch) and the ways the tests damage them.</summary>
public static class CheckpointSamples
{
    public static CheckpointMeta Meta(int epoch) => new("cnn", epoch, epoch * 10L, new Dictionary<string, double> { ["val-loss"] = 1.0 / epoch });

    public static Dictionary<string, byte[]> Sections(byte seed) => new()
    {
        ["model"] = Enumerable.Range(0, 5000).Select(i => (byte)(i * seed)).ToArray(),
        ["optimizer"] = [seed, 2, 3],
    };

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
    public static string WholeFileDigest(string path) => Hex(SHA256.HashData(File.ReadAllBytes(path)));
    public static string TrailerDigest(string path) => Hex(File.ReadAllBytes(path)[^32..]);

    /// <summary>What the code before the sha256sum format wrote: the content's digest (the trailer), not the file's.</summary>
    public static void WriteLegacySidecar(string path) =>
        File.WriteAllText(path + ".sha256", $"{TrailerDigest(path)}  {Path.GetFileName(path)}\n");

    public static void FlipAByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }
}
