using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Experiments.Bench.Reference;

/// <summary>
/// NumPy's .npy format (version 1.0, little-endian, C order), written for bench/reference/*.py
/// to read with numpy.load, and read back by the tests. Only the two element types the export
/// needs: float32 ('&lt;f4') and int32 ('&lt;i4').
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    public static void Write(string path, ReadOnlySpan<float> values, params long[] shape) => Write(path, "<f4", System.Runtime.InteropServices.MemoryMarshal.AsBytes(values), shape);
    public static void Write(string path, ReadOnlySpan<int> values, params long[] shape) => Write(path, "<i4", System.Runtime.InteropServices.MemoryMarshal.AsBytes(values), shape);

    private static void Write(string path, string descr, ReadOnlySpan<byte> data, long[] shape)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the .npy export writes little-endian data only");
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (count * 4 != data.Length) throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {count} values, got {data.Length / 4}", nameof(shape));
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        // Magic (8) + header length (2) + header + padding + '\n' is a multiple of 64, as numpy writes it.
        var padded = header.PadRight((Magic.Length + 2 + header.Length + 1 + 63) / 64 * 64 - Magic.Length - 2 - 1) + "\n";
        using var file = File.Create(path);
        file.Write(Magic);
        file.Write(BitConverter.GetBytes((ushort)padded.Length));
        file.Write(Encoding.ASCII.GetBytes(padded));
        file.Write(data);
    }

    public static (int[] Values, long[] Shape) ReadInt32(string path) => Read<int>(path, "<i4");
    public static (float[] Values, long[] Shape) ReadFloat32(string path) => Read<float>(path, "<f4");

    private static (T[] Values, long[] Shape) Read<T>(string path, string descr) where T : unmanaged
    {
        var bytes = File.ReadAllBytes(path);
        if (!bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)) throw new InvalidDataException($"{path}: not a version 1.0 .npy file");
        var headerLength = BitConverter.ToUInt16(bytes, Magic.Length);
        var header = Encoding.ASCII.GetString(bytes, Magic.Length + 2, headerLength);
        var match = HeaderPattern().Match(header);
        if (!match.Success || match.Groups["descr"].Value != descr) throw new InvalidDataException($"{path}: expected a C-order '{descr}' array, header {header.Trim()}");
        var shape = match.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var data = bytes.AsSpan(Magic.Length + 2 + headerLength);
        return (System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(data).ToArray(), shape);
    }

    [GeneratedRegex(@"'descr':\s*'(?<descr>[^']+)',\s*'fortran_order':\s*False,\s*'shape':\s*\((?<shape>[^)]*)\)")]
    private static partial Regex HeaderPattern();
}
