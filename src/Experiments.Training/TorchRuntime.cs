using TorchSharp;

namespace Experiments.Training;

/// <summary>Raised when libtorch cannot be loaded on this system; the message says why and what to do.</summary>
public sealed class TorchUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The one place that touches libtorch first. A load failure surfaces as a
/// TypeInitializationException deep inside TorchSharp; we turn it into a message a user can act on.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadError = new(TryLoad);

    /// <summary>
    /// Starts loading libtorch on a pool thread and returns at once: its ~0.2 s of native
    /// initialisation then overlaps the program's own start (logging, spec parsing and validation).
    /// A later <see cref="EnsureLoaded"/> waits for it and reports a failure as before.
    /// </summary>
    public static void StartLoading() => ThreadPool.UnsafeQueueUserWorkItem(_ =>
    {
        try
        {
            _ = LoadError.Value;
        }
        catch (Exception)
        {
            // Not here, on a pool thread, where it would end the process: Lazy keeps the exception
            // and EnsureLoaded throws it again on the caller's thread, as without this head start.
        }
    }, null);

    public static void EnsureLoaded()
    {
        if (LoadError.Value is { } error)
        {
            var detail = Innermost(error).Message;
            var hint = detail.Contains("GLIBCXX", StringComparison.Ordinal)
                ? " The system's libstdc++ is older than libtorch needs. The project's build marks the one optional version (GLIBCXX_3.4.32) weak; a missing older version cannot be worked around: use a system with GCC 11's libstdc++ (Debian 12, Ubuntu 22.04) or newer."
                : " Make sure the build output holds libtorch (dotnet build restores TorchSharp-cpu) and that the machine is linux-x64, win-x64 or osx-arm64.";
            throw new TorchUnavailableException($"libtorch could not be loaded: {detail}.{hint}", error);
        }
    }

    /// <summary>Sets torch's intra-op thread count for the calling thread (it is per thread).</summary>
    public static void UseThreads(int threads)
    {
        EnsureLoaded();
        torch.set_num_threads(threads);
    }

    private static Exception? TryLoad()
    {
        TuneAllocator();
        try
        {
            using var probe = torch.zeros(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or BadImageFormatException)
        {
            return e;
        }
    }

    /// <summary>
    /// glibc's defaults return freed memory to the kernel and serve big blocks with fresh mmaps, so
    /// torch's per-step buffers page-fault anew at every step: the first epochs ran at about half
    /// speed (docs/PERFORMANCE.md). The same as MALLOC_TRIM_THRESHOLD_=1000000000 and
    /// MALLOC_MMAP_THRESHOLD_=67108864, set from inside so that a plain `dotnet run` gets it.
    /// </summary>
    private static void TuneAllocator()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is null) _ = Mallopt(MallocTrimThreshold, 1_000_000_000);
            if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is null) _ = Mallopt(MallocMmapThreshold, 64 << 20);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): its allocator has no such knobs; nothing to tune.
        }
    }

    private const int MallocTrimThreshold = -1;
    private const int MallocMmapThreshold = -3;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
