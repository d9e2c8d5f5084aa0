using System.Runtime.InteropServices;

namespace Experiments.Training.Data;

public enum FileKind { Missing, Regular, Directory, Fifo, Socket, CharacterDevice, BlockDevice, Other }

/// <summary>
/// What a path names, found without opening it: opening a FIFO for reading blocks until a writer
/// comes, and a device may never end. .NET 10 has no public file-type API (FileAttributes say
/// Normal for FIFOs, sockets and devices), so on Linux this asks statx(2), whose buffer has one
/// layout on every architecture (unlike struct stat). Symbolic links are followed: what counts is
/// what a read would open. Used by the dataset readers and the inbox.
/// </summary>
public static partial class FileKinds
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28; // mask, blksize, attributes (u64), nlink, uid, gid, then mode (u16)

    public static FileKind Of(string path)
    {
        if (!OperatingSystem.IsLinux())
            return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
        Span<byte> buffer = stackalloc byte[StatxSize];
        int result;
        unsafe
        {
            fixed (byte* start = buffer) result = Statx(AtCurrentDirectory, path, 0, StatxType, start);
        }
        if (result != 0) return FileKind.Missing; // missing or unreadable: the open that follows says which
        return (BitConverter.ToUInt16(buffer[StatxModeOffset..]) & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Other,
        };
    }

    /// <summary>Null for a regular file (or a path that does not exist); otherwise what it is instead, e.g. "a FIFO (named pipe)".</summary>
    public static string? NotRegular(string path) => Of(path) is var kind && kind is FileKind.Regular or FileKind.Missing ? null : Describe(kind);

    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Directory => "a directory",
        FileKind.Regular => "a regular file",
        FileKind.Missing => "missing",
        _ => "a special file",
    };

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
