using System.Collections.Immutable;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Core.Tests.Scheduling;

/// <summary>
/// Plays a sweep against the scheduler without actors: trial-folds report epochs of a deterministic
/// metric in an order drawn from <c>orderSeed</c> (any running trial-fold that is not waiting may
/// report next), end as they are told, and free their slot. What the actor does, with the timing
/// made explicit.
/// </summary>
internal sealed class Simulation
{
    private readonly SweepSpec _spec;
    private readonly Func<TrialKey, int, double> _metric;
    private readonly int _concurrency;
    private readonly Random _order;
    private readonly Dictionary<TrialKey, int> _running = new();
    private readonly HashSet<TrialKey> _waiting = new();
    private SweepScheduler _scheduler;

    public Simulation(SweepSpec spec, Func<TrialKey, int, double> metric, int concurrency, int orderSeed, ISearchMethod? search = null)
    {
        _spec = spec;
        _metric = metric;
        _concurrency = concurrency;
        _order = new Random(orderSeed);
        _scheduler = new SweepScheduler(spec, search ?? SearchMethods.Create(spec), Record);
    }

    public SweepRecord Record { get; } = new();
    public SweepScheduler Scheduler => _scheduler;
    public List<(TrialKey Key, int Epoch, Verdict Verdict, string Reason)> Decisions { get; } = new();
    public List<TrialLaunch> Launched { get; } = new();
    public int MaxRunning { get; private set; }
    public int MaxConfigsRunning { get; private set; }
    public int Waiting => _waiting.Count;

    /// <summary>Runs until the scheduler is done, or for at most <paramref name="steps"/> epochs; true when done.</summary>
    public bool Run(int steps = int.MaxValue)
    {
        for (var step = 0; step < steps; step++)
        {
            Launch();
            if (_scheduler.IsDone) return true;
            var ready = _running.Keys.Where(k => !_waiting.Contains(k)).OrderBy(k => k.ConfigId).ThenBy(k => k.Fold).ToList();
            Assert.True(ready.Count > 0, "deadlock: every running trial-fold waits");
            var key = ready[_order.Next(ready.Count)];
            var epoch = ++_running[key];
            Record.Epoch(key, new EpochMetrics(epoch, new Dictionary<string, double> { [Metric] = _metric(key, epoch) }.ToImmutableSortedDictionary(), 1));
            Decide(key);
        }
        return false;
    }

    /// <summary>A host restart: a new scheduler over the same record; running trial-folds resume from their last recorded epoch when launched again.</summary>
    public void Restart(ISearchMethod? search = null)
    {
        _scheduler = new SweepScheduler(_spec, search ?? SearchMethods.Create(_spec), Record);
        _running.Clear();
        _waiting.Clear();
    }

    private string Metric => _spec.EarlyStopping.Metric;

    private void Launch()
    {
        var launches = _scheduler.NextLaunches(_concurrency - _running.Count);
        foreach (var launch in launches)
        {
            Record.Start(launch.Key);
            Launched.Add(launch);
            _running[launch.Key] = Record.Epochs(launch.Key).Count;
        }
        MaxRunning = Math.Max(MaxRunning, _running.Count);
        MaxConfigsRunning = Math.Max(MaxConfigsRunning, _running.Keys.Select(k => k.ConfigId).Distinct().Count());
        // A resumed trial-fold reports the epoch it resumes after again and waits for the decision (TrialPlan.AskAfterResuming).
        foreach (var launch in launches.Where(l => l.Resumes && Record.Epochs(l.Key).Count > 0)) Decide(launch.Key);
    }

    private void Decide(TrialKey key)
    {
        Apply(_scheduler.AfterEpoch(key));
        foreach (var decision in _scheduler.Unblocked()) Apply(decision);
    }

    private void Apply(EpochDecision decision)
    {
        if (decision.Verdict == Verdict.Wait)
        {
            _waiting.Add(decision.Key);
            return;
        }
        _waiting.Remove(decision.Key);
        Decisions.Add((decision.Key, decision.Epoch, decision.Verdict, decision.Reason));
        if (decision.Verdict == Verdict.Continue && decision.Epoch < _spec.Training.MaxEpochs) return;
        End(decision.Key, decision.EndStatus ?? TrialStatus.Completed);
    }

    private void End(TrialKey key, TrialStatus status)
    {
        var history = Record.History(key, Metric);
        var best = EarlyStopping.Best(history, _spec.EarlyStopping.Mode);
        Record.End(new TrialOutcome(key, status, history.Count, best?.Value, best?.Epoch, "simulated"));
        _running.Remove(key);
        foreach (var decision in _scheduler.AfterEnd(key)) Apply(decision);
    }
}

internal static class SchedulerSpecs
{
    /// <summary>A grid of <paramref name="configs"/> learning rates, as a user writes it.</summary>
    public static SweepSpec Grid(int configs, int folds = 2, int maxEpochs = 4, string pruning = "", string earlyStopping = "",
        int concurrency = 2, string search = "")
    {
        var rates = string.Join(", ", Enumerable.Range(1, configs).Select(i => (i * 0.0001).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var text = $$"""
            experiments.sweeps = [{
              name = scheduler, model = cnn
              search {
                method = grid, space { learning-rate = [{{rates}}] }
                {{search}}
              }
              cross-validation { folds = {{folds}} }
              training { max-epochs = {{maxEpochs}} }
              {{pruning}}
              {{earlyStopping}}
              resources { max-concurrent-trials = {{concurrency}} }
            }]
            """;
        var result = SpecLoader.LoadText(text, "test.hocon", "/tmp", TestFiles.Plain);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return Assert.Single(result.Sweeps);
    }
}
