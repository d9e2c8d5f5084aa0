namespace Experiments.Core.Spec;

/// <summary>"Did you mean" hints: the closest known word by edit distance, when it is close enough.</summary>
public static class Suggestions
{
    public static string? Closest(string word, IEnumerable<string> known)
    {
        var best = known
            .Select(k => (Known: k, Distance: Levenshtein(word.ToLowerInvariant(), k.ToLowerInvariant())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Known, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Known is not null && best.Distance <= Math.Max(2, word.Length / 3) ? best.Known : null;
    }

    /// <summary>" (did you mean 'x'?)", or "; expected one of a, b, c" when nothing is close.</summary>
    public static string Hint(string word, IReadOnlyCollection<string> known) =>
        Closest(word, known) is { } close ? $" (did you mean '{close}'?)" : $"; expected one of {string.Join(", ", known)}";

    public static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
