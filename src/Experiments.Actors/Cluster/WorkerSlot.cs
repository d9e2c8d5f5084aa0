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
/// its decisions to the runner, and ships every checkpoint written, in acknowledged chunks; the
/// trial-fold ends only after its last checkpoint has arrived. If the coordinator's proxy goes
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
    private readonly Queue<(string File, byte[] Bytes, int Index)> _outgoing = new();
    private bool _awaitingAck;
    private WorkOffered? _work;
    private IActorRef _proxy = ActorRefs.Nobody;
    private IActorRef _runner = ActorRefs.Nobody;
    private TrialOutcome? _finished;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="queuePath">The coordinator's work queue (a path for an actor selection).</param>
    /// <param name="threads">Torch threads per trial-fold; null: the sweep's threads-per-trial.</param>
    public static Props Props(string queuePath, string node, int slot, IActorRef datasets, ITrainerFactory factory, string scratch, int? threads) =>
        Akka.Actor.Props.Create(() => new WorkerSlot(queuePath, node, slot, datasets, factory, scratch, threads));

    public WorkerSlot(string queuePath, string node, int slot, IActorRef datasets, ITrainerFactory factory, string scratch, int? threads)
    {
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
            if (Array.IndexOf(FileChunks.CheckpointFiles, chunk.File) >= 0)
            {
                if (chunk.Index == 0) _incoming[chunk.File] = new IncomingFile(Path.Combine(WorkDirectory, chunk.File), chunk.Count);
                if (_incoming.TryGetValue(chunk.File, out var file) && file.Add(chunk.Index, chunk.Bytes)) _incoming.Remove(chunk.File);
            }
            Sender.Tell(new ChunkAck(chunk.WorkId, chunk.File, chunk.Index));
        });
        Receive<StartWork>(start => start.WorkId == _work!.WorkId, _ =>
        {
            _datasets.Tell(new DatasetProtocol.GetDataset(SpecJson.Deserialize(_work!.SpecJson).Dataset));
            Become(Loading);
        });
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
            _awaitingAck = false;
            SendNext();
        });
        Receive<TrialRunnerProtocol.TrialFinished>(finished =>
        {
            Context.Unwatch(_runner);
            _finished = finished.Outcome;
            EndWhenShipped();
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_runner), _ =>
            End(new TrialOutcome(_work!.Key, TrialStatus.Failed, 0, null, null, $"trial runner crashed on {_node}")));
        ProxyGone();
    }

    /// <summary>Queues the files just written; a file already waiting is replaced by its newer bytes.</summary>
    private void Ship(CheckpointerProtocol.Written written)
    {
        var files = new List<string>();
        if (written.AsLast) files.Add(Checkpointer.LastFile);
        if (written.AsBest) files.Add(Checkpointer.BestFile);
        foreach (var file in files)
        {
            byte[] bytes;
            try { bytes = File.ReadAllBytes(Path.Combine(WorkDirectory, file)); }
            catch (IOException e)
            {
                _log.Warning("Slot {Slot}: {File} not shipped: {Reason}", _slot, file, e.Message);
                continue;
            }
            var kept = _outgoing.Where(o => o.File != file).ToList();
            _outgoing.Clear();
            foreach (var o in kept) _outgoing.Enqueue(o);
            for (var i = 0; i < FileChunks.CountOf(bytes.Length); i++) _outgoing.Enqueue((file, bytes, i));
        }
        SendNext();
    }

    private void SendNext()
    {
        if (_awaitingAck) return;
        if (_outgoing.TryDequeue(out var next))
        {
            _awaitingAck = true;
            _proxy.Tell(new FileChunk(_work!.WorkId, next.File, next.Index, FileChunks.CountOf(next.Bytes.Length), FileChunks.Chunk(next.Bytes, next.Index)));
            return;
        }
        EndWhenShipped();
    }

    private void EndWhenShipped()
    {
        if (_finished is { } outcome && !_awaitingAck && _outgoing.Count == 0) End(outcome);
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
        _awaitingAck = false;
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
