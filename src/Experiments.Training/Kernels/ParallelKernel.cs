namespace Experiments.Training.Kernels;

/// <summary>Splits a kernel's independent work items (planes, elements) over the trainer's torch threads.</summary>
internal static class ParallelKernel
{
    public delegate void Range(long from, long to);

    /// <summary>
    /// Runs <paramref name="body"/> over [0, count) in at most <paramref name="threads"/> equal
    /// ranges of at least <paramref name="minimumPerPart"/> items. The items are independent, so the
    /// split changes no result; one thread (torch's per-thread setting) runs inline.
    /// </summary>
    public static void ForEachRange(long count, int threads, Range body, long minimumPerPart = 1)
    {
        var parts = (int)Math.Min(threads, count / Math.Max(1, minimumPerPart));
        if (parts <= 1)
        {
            body(0, count);
            return;
        }
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts },
            part => body(count * part / parts, count * (part + 1) / parts));
    }
}
