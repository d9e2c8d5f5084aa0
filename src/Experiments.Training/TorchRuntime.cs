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

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
