using Experiments.Core.Search;

namespace Experiments.Core.Scheduling;

/// <summary>
/// Asks the search method lazily and tells it results strictly in config-id order, so that the
/// configs it proposes do not depend on timing or concurrency. For an adaptive method, with M =
/// max-in-flight: config n is asked only once configs 0..n−M are told, and nothing beyond n−M is
/// told before config n is asked (a result that is known early waits in a buffer). So the search
/// sees the same interleaving of asks and tells at concurrency 1 or 8, and replaying the journal's
/// facts in config order rebuilds it exactly. A non-adaptive method (grid, random) is asked
/// whenever a slot frees; it is still told in order.
/// </summary>
public sealed class SearchPacer(ISearchMethod search, int maxInFlight)
{
    private readonly List<TrialConfig> _asked = new();
    private readonly Dictionary<int, ConfigResult> _buffered = new();
    private readonly int _maxInFlight = Math.Max(1, maxInFlight);
    private bool _searchEnded;

    /// <summary>Every config asked so far; config i at index i.</summary>
    public IReadOnlyList<TrialConfig> Asked => _asked;

    /// <summary>Configs 0..Told−1 have been told.</summary>
    public int Told { get; private set; }

    /// <summary>How many configs the sweep will have in all: the method's planned count, else as many as it gave.</summary>
    public int? PlannedCount => search.PlannedCount;

    /// <summary>The method has no more configs to give.</summary>
    public bool Exhausted => _searchEnded || _asked.Count == search.PlannedCount;

    /// <summary>Whether the next config may be asked now.</summary>
    public bool CanAsk => !Exhausted && (!search.IsAdaptive || Told >= _asked.Count - _maxInFlight + 1);

    /// <summary>The next config, or null when none may be asked now (see <see cref="CanAsk"/>) or the method has ended.</summary>
    public TrialConfig? Ask()
    {
        if (!CanAsk) return null;
        var config = search.Ask();
        if (config is null) _searchEnded = true;
        else if (config.Id != _asked.Count)
            throw new InvalidOperationException($"the search method gave config {config.Id} where config {_asked.Count} was due");
        else _asked.Add(config);
        TellWhatMayBeTold();
        return config;
    }

    /// <summary>A config has ended: its result is told as soon as every lower config is told (and, adaptive, the pacing allows).</summary>
    public void Finished(ConfigResult result)
    {
        if (result.ConfigId < Told) return;
        _buffered[result.ConfigId] = result;
        TellWhatMayBeTold();
    }

    private void TellWhatMayBeTold()
    {
        while (_buffered.TryGetValue(Told, out var result) && MayTell(Told))
        {
            _buffered.Remove(Told);
            search.Tell(result);
            Told++;
        }
    }

    private bool MayTell(int configId) => !search.IsAdaptive || Exhausted || configId <= _asked.Count - _maxInFlight;
}
