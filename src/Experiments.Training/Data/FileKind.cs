using System.Runtime.InteropServices;

namespace Experiments.Training.Data;

/// <summary>
/// What kind of file a path names, found without opening it: opening a FIFO for reading blocks until
/// a writer comes, and a device may never end. Symbolic links are followed.
/// </summary>
internal static partial class FileKind
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28;

    /// <summary>Null for a regular file (or a path that does not exist); otherwise what it is instead, e.g. "a FIFO (named pipe)".</summary>
    public static string? NotRegular(string path)
    {
        if (Directory.Exists(path)) return "a directory";
        if (!OperatingSystem.IsLinux()) return null;
        // statx's buffer has one layout on every architecture (unlike struct stat).
        Span<byte> buffer = stackalloc byte[StatxSize];
        int result;
        unsafe
        {
            fixed (byte* start = buffer) result = Statx(AtCurrentDirectory, path, 0, StatxType, start);
        }
        if (result != 0) return null; // missing or unreadable: the open that follows says which
        var mode = BitConverter.ToUInt16(buffer[StatxModeOffset..]) & 0xF000;
        return mode switch
        {
            0x8000 => null,
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x4000 => "a directory",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => $"a special file (mode 0x{mode:X4})",
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
