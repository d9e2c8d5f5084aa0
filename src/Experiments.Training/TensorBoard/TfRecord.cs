using System.Buffers.Binary;
using System.Numerics;

namespace Experiments.Training.TensorBoard;

/// <summary>
/// TensorFlow's record framing, which TensorBoard reads: u64 length (little-endian), the masked
/// CRC-32C of those 8 bytes, the data, the masked CRC-32C of the data.
/// </summary>
public static class TfRecord
{
    private const uint MaskDelta = 0xa282ead8;

    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }

    /// <summary>CRC-32C (Castagnoli), rotated and offset as TensorFlow masks it.</summary>
    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + MaskDelta;
    }

    /// <summary>.NET's CRC-32C (hardware instructions where the CPU has them).</summary>
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
