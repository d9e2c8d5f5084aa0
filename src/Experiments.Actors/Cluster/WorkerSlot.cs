using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Experiments.Actors.Datasets;
using Experiments.Actors.Sweeps;
using Experiments.Actors.Trials;
using Experiments.Core.Folds;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Cluster;

/// <summary>
/// One slot of a node: asks the coordinator's queue for a trial-fold whenever it is free, and runs
/// it with the same TrialRunner (and so the same Trainer, DataLoader and Checkpointer) as a single
/// host, in a scratch folder of its own. It loads the sweep's dataset through this node's
/// DatasetRegistry and splits it as the coordinator does (FoldSplitter is a pure function of the
/// labels and the spec), reports every epoch to the trial-fold's <see cref="RemoteTrial"/>, relays
/// its decisions to the runner, and ships every checkpoint written, in acknowledged chunks (a
/// best.ckpt with the bytes of the last.ckpt just shipped as a copy), with the sample grids and
/// TensorBoard event files that changed since the last shipping; the trial-fold ends only after
/// all of them, as they are at its end, have arrived. The spec's own IDX files come through the
/// node's <see cref="DataCache"/> (the spec's path if it holds the coordinator's bytes, else a
/// copy fetched from the coordinator). If the coordinator's proxy goes
/// away (sweep cancelled, coordinator lost) the runner is stopped. Supervision: the runner is
/// stopped if it throws (its trial-fold is reported failed).
/// </summary>
public sealed class WorkerSlot : ReceiveActor, IWithTimers
{
    private sealed record AskAgain;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _queuePath;
    private readonly string _node;
    private readonly int _slot;
    private readonly IActorRef _datasets;
    private readonly ITrainerFactory _factory;
    private readonly string _scratch;
    private readonly int? _threads;
    private readonly Dictionary<string, IncomingFile> _incoming = new();
    private readonly IActorRef _dataCache;
    private ChunkSender _outgoing = new("");
    /// <summary>Size and write time of each artifact as last shipped: only a changed file goes again.</summary>
    private readonly Dictionary<string, (long Length, DateTime Written)> _shipped = new();
    private WorkOffered? _work;
    private IActorRef _proxy = ActorRefs.Nobody;
    private IActorRef _runner = ActorRefs.Nobody;
    private TrialOutcome? _finished;
    private Stopwatch? _finishedAt;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="queuePath">The coordinator's work queue (a path for an actor selection).</param>
    /// <param name="threads">Torch threads per trial-fold; null: the sweep's threads-per-trial.</param>
    /// <param name="dataCache">Resolves the spec's own IDX files (<see cref="DataCache"/>); Nobody on the coordinator, which reads them itself.</param>
    public static Props Props(string queuePath, string node, int slot, IActorRef datasets, ITrainerFactory factory, string scratch, int? threads,
        IActorRef? dataCache = null) =>
        Akka.Actor.Props.Create(() => new WorkerSlot(queuePath, node, slot, datasets, factory, scratch, threads, dataCache ?? ActorRefs.Nobody));

    public WorkerSlot(string queuePath, string node, int slot, IActorRef datasets, ITrainerFactory factory, string scratch, int? threads, IActorRef dataCache)
    {
        _dataCache = dataCache;
        _queuePath = queuePath;
        _node = node;
        _slot = slot;
        _datasets = datasets;
        _factory = factory;
        _scratch = scratch;
        _threads = threads;
        Idle();
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(0, Timeout.InfiniteTimeSpan, _ => Directive.Stop);

    protected override void PreStart() => AskForWork();

    protected override void PostStop()
    {
        try { if (Directory.Exists(_scratch)) Directory.Delete(_scratch, recursive: true); }
        catch (IOException) { }
    }

    private string WorkDirectory => Path.Combine(_scratch, _work!.Key.Name);

    /// <summary>Asked again now and then: a restarted queue forgets who was waiting.</summary>
    private void AskForWork()
    {
        Context.ActorSelection(_queuePath).Tell(new RequestWork(_node, _slot));
        Timers.StartSingleTimer("ask", new AskAgain(), TimeSpan.FromSeconds(20));
    }

    private void Idle()
    {
        Receive<AskAgain>(_ => AskForWork());
        Receive<WorkOffered>(offered =>
        {
            Timers.Cancel("ask");
            _work = offered;
            _proxy = Sender;
            _finished = null;
            _outgoing = new ChunkSender(offered.WorkId);
            Context.Watch(_proxy);
            if (Directory.Exists(_scratch)) Directory.Delete(_scratch, recursive: true);
            var spec = SpecJson.Deserialize(offered.SpecJson);
            Directory.CreateDirectory(WorkDirectory);
            new TrialFiles(WorkDirectory, spec.EarlyStopping.Metric).Rewrite(offered.History);
            Become(Receiving);
        });
        Receive<Refused>(refused => _log.Error("Slot {Slot}: the coordinator gives no work: {Reason}", _slot, refused.Reason));
    }

    /// <summary>The checkpoint to resume from, chunk by chunk, then StartWork.</summary>
    private void Receiving()
    {
        Receive<FileChunk>(chunk => chunk.WorkId == _work!.WorkId, chunk =>
        {
            if (chunk.File == FileChunks.LastCheckpoint)
            {
                if (chunk.Index == 0) _incoming[chunk.File] = new IncomingFile(Path.Combine(WorkDirectory, chunk.File), chunk.Count);
                if (_incoming.TryGetValue(chunk.File, out var file) && file.Add(chunk.Index, chunk.Bytes)) _incoming.Remove(chunk.File);
            }
            Sender.Tell(new ChunkAck(chunk.WorkId, chunk.File, chunk.Index));
        });
        Receive<StartWork>(start => start.WorkId == _work!.WorkId, _ =>
        {
            var dataset = SpecJson.Deserialize(_work!.SpecJson).Dataset;
            if (_work.Data.IsDefaultOrEmpty || _dataCache.IsNobody())
            {
                _datasets.Tell(new DatasetProtocol.GetDataset(dataset));
                Become(Loading);
                return;
            }
            _dataCache.Tell(new DataCacheProtocol.Resolve(_work.Data));
            Become(Fetching);
        });
        ProxyGone();
    }

    /// <summary>The spec's own IDX files, as this node can read them (its own path, or a copy from the coordinator).</summary>
    private void Fetching()
    {
        Receive<DataCacheProtocol.Resolved>(resolved =>
        {
            var dataset = SpecJson.Deserialize(_work!.SpecJson).Dataset;
            dataset = dataset with { Images = resolved.Local[dataset.Images!], Labels = resolved.Local[dataset.Labels!] };
            _datasets.Tell(new DatasetProtocol.GetDataset(dataset));
            Become(Loading);
        });
        Receive<DataCacheProtocol.ResolveFailed>(failed =>
            End(new TrialOutcome(_work!.Key, TrialStatus.Failed, _work.History.Length, null, null, $"dataset unavailable on {_node}: {failed.Reason}")));
        ProxyGone();
    }

    private void Loading()
    {
        Receive<DatasetProtocol.DatasetReady>(ready => StartRunner(ready.Source));
        Receive<DatasetProtocol.DatasetUnavailable>(unavailable =>
            End(new TrialOutcome(_work!.Key, TrialStatus.Failed, _work.History.Length, null, null, $"dataset unavailable on {_node}: {unavailable.Reason}")));
        ProxyGone();
    }

    private void StartRunner(Training.Data.IDigitSource data)
    {
        var work = _work!;
        var spec = SpecJson.Deserialize(work.SpecJson);
        var cv = spec.CrossValidation;
        var split = FoldSplitter.Split(data.LabelArray, cv.Folds, cv.TestFraction, cv.Stratified, cv.Seed);
        var (train, validation) = work.Key.IsFinal ? (split.TrainPool, split.Test) : (split.Folds[work.Key.Fold].Train, split.Folds[work.Key.Fold].Validation);
        var launch = new TrialLaunch(work.Key, new TrialConfig(work.Key.ConfigId, work.Parameters), work.Seed, work.MaxEpochs, Resumes: true);
        var plan = TrialPlan.Of(spec, launch, data, train, validation, WorkDirectory, _factory) with { CheckpointsTo = Self };
        if (_threads is { } threads) plan = plan with { Threads = threads };
        _runner = Context.ActorOf(TrialRunner.Props(plan, Self), work.Key.Name);
        Context.Watch(_runner);
        Become(Running);
    }

    private void Running()
    {
        Receive<TrialRunnerProtocol.EpochReported>(report => _proxy.Tell(new EpochDone(_work!.WorkId, report.Metrics)));
        Receive<Decision>(d => d.WorkId == _work!.WorkId, d => _runner.Tell(d.StopWith is { } status
            ? new TrialRunnerProtocol.Stop(_work!.Key, status, d.Reason)
            : new TrialRunnerProtocol.Continue(_work!.Key)));
        Receive<CheckpointerProtocol.Written>(Ship);
        Receive<ChunkAck>(ack => ack.WorkId == _work!.WorkId, _ =>
        {
            _outgoing.Acked();
            SendNext();
        });
        Receive<TrialRunnerProtocol.TrialFinished>(finished =>
        {
            Context.Unwatch(_runner);
            _finished = finished.Outcome;
            _finishedAt = Stopwatch.StartNew();
            // The event file is complete now (the runner wrote the session's end); grids the last checkpoint did not carry go too.
            ShipArtifacts();
            SendNext();
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_runner), _ =>
            End(new TrialOutcome(_work!.Key, TrialStatus.Failed, 0, null, null, $"trial runner crashed on {_node}")));
        ProxyGone();
    }

    /// <summary>
    /// Queues the checkpoints just written (a file already waiting is replaced by its newer bytes;
    /// best.ckpt equal to last.ckpt goes as a copy), then the artifacts changed since: a resumed
    /// trial-fold finds on the coordinator everything up to its checkpoint.
    /// </summary>
    private void Ship(CheckpointerProtocol.Written written)
    {
        var last = written.AsLast ? Read(Checkpointer.LastFile) : null;
        if (last is not null) _outgoing.Enqueue(Checkpointer.LastFile, last);
        if (written.AsBest && Read(Checkpointer.BestFile) is { } best)
        {
            if (last is not null && best.AsSpan().SequenceEqual(last)) _outgoing.EnqueueCopy(Checkpointer.BestFile, Checkpointer.LastFile, best);
            else _outgoing.Enqueue(Checkpointer.BestFile, best);
        }
        ShipArtifacts();
        SendNext();
    }

    /// <summary>Sample grids and TensorBoard event files (<see cref="FileChunks.IsArtifact"/>) whose size or time changed since shipped.</summary>
    private void ShipArtifacts()
    {
        string[] names;
        try { names = Directory.GetFiles(WorkDirectory).Select(Path.GetFileName).OfType<string>().Where(FileChunks.IsArtifact).Order(StringComparer.Ordinal).ToArray(); }
        catch (IOException e)
        {
            _log.Warning("Slot {Slot}: artifacts not shipped: {Reason}", _slot, e.Message);
            return;
        }
        foreach (var name in names)
        {
            var info = new FileInfo(Path.Combine(WorkDirectory, name));
            var stamp = (info.Length, info.LastWriteTimeUtc);
            if (_shipped.TryGetValue(name, out var shipped) && shipped == stamp) continue;
            if (Read(name) is not { } bytes) continue;
            _shipped[name] = stamp;
            _outgoing.Enqueue(name, bytes);
        }
    }

    /// <summary>A trial file's bytes; null (logged) if unreadable. Shared reading: the runner keeps its event file open for appends.</summary>
    private byte[]? Read(string file)
    {
        try
        {
            using var stream = new FileStream(Path.Combine(WorkDirectory, file), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            // One array of the file's size, not a growing copy (a checkpoint is several MB, every epoch).
            var bytes = new byte[stream.Length];
            var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            return read == bytes.Length ? bytes : bytes[..read];
        }
        catch (IOException e)
        {
            _log.Warning("Slot {Slot}: {File} not shipped: {Reason}", _slot, file, e.Message);
            return null;
        }
    }

    private void SendNext()
    {
        _outgoing.Pump(_proxy, Self);
        if (_finished is not { } outcome || !_outgoing.Done) return;
        _log.Info("Slot {Slot}: trial {TrialId} fold {Fold}: its last files reached the coordinator {Milliseconds} ms after it finished",
            _slot, outcome.Key.ConfigId, outcome.Key.Fold, _finishedAt?.ElapsedMilliseconds);
        End(outcome);
    }

    private void End(TrialOutcome outcome)
    {
        _proxy.Tell(new WorkEnded(_work!.WorkId, outcome));
        Reset();
    }

    private void Reset()
    {
        Context.Unwatch(_proxy);
        _proxy = ActorRefs.Nobody;
        _outgoing.Clear();
        _shipped.Clear();
        _incoming.Clear();
        if (!_runner.IsNobody())
        {
            Context.Unwatch(_runner);
            Context.Stop(_runner);
        }
        _runner = ActorRefs.Nobody;
        Become(Idle);
        AskForWork();
    }

    /// <summary>The coordinator's side of this trial-fold is gone (sweep cancelled, coordinator lost): stop training it.</summary>
    private void ProxyGone()
    {
        Receive<Terminated>(t => t.ActorRef.Equals(_proxy), _ =>
        {
            _log.Warning("Slot {Slot}: the coordinator dropped {Trial}; stopping it", _slot, _work?.Key.Name);
            Reset();
        });
        ReceiveAny(_ => { });
    }
}
