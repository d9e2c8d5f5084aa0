using SkiaSharp;
using static TorchSharp.torch;

namespace Experiments.Training.Gan;

/// <summary>
/// A square grid of digits as a grayscale PNG: 28-px cells separated and framed by a 2-px gray
/// border. Written to a temporary file and renamed, so a reader never sees half a picture and an
/// overwrite never leaves the tail of a larger old file behind.
/// </summary>
public static class SampleGrid
{
    public const int Cell = 28;
    public const int Border = 2;
    private const byte BorderGray = 128;

    /// <summary>Side in pixels of a grid <paramref name="columns"/> cells wide.</summary>
    public static int SideFor(int columns) => columns * Cell + (columns + 1) * Border;

    /// <summary>Writes <paramref name="images"/> [columns², 1, 28, 28] with pixels in [0, 1] as a PNG.</summary>
    public static void Write(string pngPath, Tensor images, int columns)
    {
        if (images.ndim != 4 || images.shape[0] != columns * columns || images.shape[2] != Cell || images.shape[3] != Cell)
            throw new ArgumentException($"expected [{columns * columns},1,{Cell},{Cell}] images, got [{string.Join(",", images.shape)}]", nameof(images));
        AtomicFile.Write(pngPath, Encode(Pixels(images), columns));
    }

    private static byte[] Pixels(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var bytes = images.detach().clamp(0, 1).mul(255).round().to_type(ScalarType.Byte).contiguous();
        return bytes.data<byte>().ToArray();
    }

    private static byte[] Encode(byte[] pixels, int columns)
    {
        var side = SideFor(columns);
        using var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Gray8, SKAlphaType.Opaque));
        var canvas = new byte[side * side];
        Array.Fill(canvas, BorderGray);
        for (var i = 0; i < columns * columns; i++)
        {
            var left = Border + i % columns * (Cell + Border);
            var top = Border + i / columns * (Cell + Border);
            for (var y = 0; y < Cell; y++)
                Array.Copy(pixels, (i * Cell + y) * Cell, canvas, (top + y) * side + left, Cell);
        }
        var rows = bitmap.GetPixels();
        for (var y = 0; y < side; y++)
            System.Runtime.InteropServices.Marshal.Copy(canvas, y * side, rows + y * bitmap.RowBytes, side);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
