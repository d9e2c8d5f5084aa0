namespace Experiments.Training.Gan;

/// <summary>
/// How evenly generated digits spread over the ten classes, as a classifier sees them: the entropy
/// of the predicted-class histogram divided by ln 10 (1 = all ten equally often, 0 = one class
/// only, which is what mode collapse looks like), and how many classes appear at all.
/// </summary>
public sealed record ClassCoverage(double NormalisedEntropy, int ClassesSeen)
{
    public const int Classes = 10;

    public static ClassCoverage Of(IReadOnlyList<long> predictedClasses)
    {
        if (predictedClasses.Count == 0) return new ClassCoverage(double.NaN, 0);
        var counts = new int[Classes];
        foreach (var c in predictedClasses) counts[c]++;
        double entropy = 0;
        foreach (var count in counts)
        {
            if (count == 0) continue;
            var p = (double)count / predictedClasses.Count;
            entropy -= p * Math.Log(p);
        }
        return new ClassCoverage(entropy / Math.Log(Classes), counts.Count(c => c > 0));
    }
}
