using System.Runtime.InteropServices;

namespace Experiments.Host;

public enum FileKind { Missing, Regular, Directory, Fifo, Socket, CharacterDevice, BlockDevice, Other }

/// <summary>
/// What a path is, found without opening it: opening a FIFO for reading blocks until a writer
/// comes. .NET 10 has no public file-type API (FileAttributes say Normal for FIFOs, sockets and
/// devices), so on Linux this asks statx(2), whose struct layout is the same on every
/// architecture. Symbolic links are followed: what counts is what a read would open.
/// </summary>
public static class FileKinds
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: mask, blksize, attributes (u64), nlink, uid, gid, then mode (u16)
    private const int StatxSize = 256;

    public static FileKind Of(string path)
    {
        if (OperatingSystem.IsLinux()) return OnLinux(path);
        if (Directory.Exists(path)) return FileKind.Directory;
        return File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }

    private static FileKind OnLinux(string path)
    {
        var buffer = new byte[StatxSize];
        if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return FileKind.Missing;
        var mode = BitConverter.ToUInt16(buffer, ModeOffset);
        return (mode & 0xF000) switch
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

    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Directory => "a folder",
        _ => "not a plain file",
    };

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
