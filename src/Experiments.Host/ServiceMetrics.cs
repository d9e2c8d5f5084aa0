using Akka.Actor;
using Akka.Hosting;
using Experiments.Actors.Sweeps;
using Prometheus;

namespace Experiments.Host;

/// <summary>
/// What `serve` shows at GET /metrics, in a registry of its own (no process-wide metrics):
/// per sweep (label <c>sweep</c>) the trial-folds running, done, failed and queued, read from the
/// sweep manager when scraped; and the epochs journalled since the service started, counted
/// from the actor system's event stream (rate() of it gives epochs per second).
/// </summary>
public sealed class ServiceMetrics
{
    /// <summary>Under Prometheus's default scrape timeout (10 s); the manager itself never waits on a slow sweep.</summary>
    private static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(5);
    private static readonly string[] BySweep = ["sweep"];

    private readonly ActorRegistry _actors;
    private readonly Gauge _running;
    private readonly Gauge _done;
    private readonly Gauge _failed;
    private readonly Gauge _queued;
    private readonly Counter _epochs;

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public ServiceMetrics(ActorRegistry actors)
    {
        _actors = actors;
        var metrics = Metrics.WithCustomRegistry(Registry);
        _running = metrics.CreateGauge("experiments_trial_folds_running", "Trial-folds training now.", BySweep);
        _done = metrics.CreateGauge("experiments_trial_folds_done", "Trial-folds settled, whatever their outcome (failed ones included).", BySweep);
        _failed = metrics.CreateGauge("experiments_trial_folds_failed", "Trial-folds that failed past their retries.", BySweep);
        _queued = metrics.CreateGauge("experiments_trial_folds_queued", "Trial-folds not started yet (the sweep's queue length).", BySweep);
        _epochs = metrics.CreateCounter("experiments_epochs_total", "Epochs journalled since the service started.", BySweep);
        Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    public void EpochRecorded(string sweep) => _epochs.WithLabels(sweep).Inc();

    /// <summary>
    /// Reads every sweep's status at scrape time. A sweep that does not answer in time keeps its
    /// last values (a gap is better than a false zero); a silent manager fails the scrape (503).
    /// </summary>
    private async Task RefreshAsync(CancellationToken cancellation)
    {
        var list = await _actors.Get<SweepManagerKey>().Ask<SweepProtocol.SweepList>(new SweepProtocol.ListSweeps(), ScrapeTimeout, cancellation);
        foreach (var sweep in list.Sweeps.Where(s => s.State != SweepStates.NotResponding))
        {
            _running.WithLabels(sweep.Name).Set(sweep.Running);
            _done.WithLabels(sweep.Name).Set(sweep.Done);
            _failed.WithLabels(sweep.Name).Set(sweep.Failed);
            _queued.WithLabels(sweep.Name).Set(Math.Max(0, sweep.TrialFolds - sweep.Done - sweep.Running));
        }
        var listed = list.Sweeps.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gauge in new[] { _running, _done, _failed, _queued })
            foreach (var gone in gauge.GetAllLabelValues().Where(labels => !listed.Contains(labels[0])).ToList())
                gauge.RemoveLabelled(gone);
    }
}

/// <summary>
/// Counts journalled epochs for <see cref="ServiceMetrics"/>: subscribed to the event stream for
/// <see cref="SweepProtocol.EpochJournalled"/>. Holds no state of its own; default supervision (it cannot fail).
/// </summary>
public sealed class EpochCounter : ReceiveActor
{
    public static Props Props(ServiceMetrics metrics) => Akka.Actor.Props.Create(() => new EpochCounter(metrics));

    public EpochCounter(ServiceMetrics metrics) =>
        Receive<SweepProtocol.EpochJournalled>(recorded => metrics.EpochRecorded(recorded.Sweep));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(SweepProtocol.EpochJournalled));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
