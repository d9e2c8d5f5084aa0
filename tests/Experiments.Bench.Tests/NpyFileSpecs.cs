using System.Text;
using Experiments.Bench.Reference;

namespace Experiments.Bench.Tests;

public sealed class NpyFileSpecs
{
    [Fact]
    public void Should_read_back_the_int32_values_and_shape_it_wrote()
    {
        using var dir = new TempDir();
        var values = Enumerable.Range(-3, 12).ToArray();
        NpyFile.Write(dir.File("a.npy"), values, 3, 4);
        var (read, shape) = NpyFile.ReadInt32(dir.File("a.npy"));
        Assert.Equal(values, read);
        Assert.Equal([3L, 4L], shape);
    }

    [Fact]
    public void Should_read_back_float32_values_exactly_and_a_one_dimensional_shape()
    {
        using var dir = new TempDir();
        float[] values = [0f, 1f / 255, 0.5f, 1f, float.Epsilon];
        NpyFile.Write(dir.File("f.npy"), values, values.Length);
        var (read, shape) = NpyFile.ReadFloat32(dir.File("f.npy"));
        Assert.Equal(values, read);
        Assert.Equal([5L], shape);
    }

    [Fact]
    public void Should_write_the_header_numpy_expects()
    {
        using var dir = new TempDir();
        NpyFile.Write(dir.File("h.npy"), new int[7], 7);
        var bytes = File.ReadAllBytes(dir.File("h.npy"));
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        var headerLength = BitConverter.ToUInt16(bytes, 8);
        Assert.Equal(0, (10 + headerLength) % 64);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.StartsWith("{'descr': '<i4', 'fortran_order': False, 'shape': (7,), }", header);
        Assert.EndsWith("\n", header);
        Assert.Equal(10 + headerLength + 7 * 4, bytes.Length);
    }

    [Fact]
    public void Should_refuse_a_shape_that_does_not_hold_the_values()
    {
        using var dir = new TempDir();
        var error = Assert.Throws<ArgumentException>(() => NpyFile.Write(dir.File("x.npy"), new int[5], 2, 3));
        Assert.Contains("(2, 3) holds 6 values, got 5", error.Message);
    }

    [Fact]
    public void Should_name_the_file_when_the_element_type_is_not_the_one_asked_for()
    {
        using var dir = new TempDir();
        NpyFile.Write(dir.File("i.npy"), new int[2], 2);
        var error = Assert.Throws<InvalidDataException>(() => NpyFile.ReadFloat32(dir.File("i.npy")));
        Assert.Contains("i.npy", error.Message);
    }
}
