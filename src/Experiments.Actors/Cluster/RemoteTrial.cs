using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Experiments.Actors.Trials;
using Experiments.Core.Scheduling;
using Experiments.Core.Trials;
using Experiments.Training.Checkpoints;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Cluster;

/// <summary>
/// A trial-fold run by a slot (of a worker, or of the coordinator itself), as its SweepSupervisor
/// sees it: in the tree exactly where a TrialRunner would be, speaking the runner's protocol
/// (EpochReported, Continue/Stop, TrialFinished). It waits in the <see cref="WorkQueue"/> until a
/// slot asks, sends the slot the work and the last checkpoint, writes every epoch's row and every
/// checkpoint, sample grid and TensorBoard event file the slot ships into the coordinator's trial
/// folder (so any node can resume it, and the folder is what one host's would be), and
/// relays the sweep's decisions. When the slot's node dies (Terminated after downing) it queues
/// itself again: the next slot resumes from the last checkpoint that reached the coordinator.
/// Supervision: no children.
/// </summary>
public sealed class RemoteTrial : ReceiveActor
{
    private readonly ILoggingAdapter _log;
    private readonly string _sweep;
    private readonly string _specJson;
    private readonly TrialLaunch _launch;
    private readonly string _directory;
    private readonly IActorRef _queue;
    private readonly TrialFiles _files;
    private readonly Dictionary<string, IncomingFile> _incoming = new();
    private List<EpochMetrics> _history = new();
    private IActorRef _slot = ActorRefs.Nobody;
    private string _node = "";
    private string _workId = "";
    private DateTime? _lostAt;
    private ChunkSender _outgoing = new("");
    /// <summary>
    /// The files installed whole from the current slot (what a <see cref="FileCopy"/> may copy), with
    /// a checkpoint's SHA-256 (its copy reuses it rather than hashing the bytes again).
    /// </summary>
    private readonly Dictionary<string, byte[]> _installed = new();
    /// <summary>The sweep's dataset when it names its own IDX files (they go with every offer); else null.</summary>
    private readonly Experiments.Core.Spec.DatasetSpec? _ownFiles;
    private ImmutableArray<DataFile> _data = [];

    private TrialKey Key => _launch.Key;

    public static Props Props(string sweep, string specJson, TrialLaunch launch, string directory, string metric, IActorRef queue) =>
        Akka.Actor.Props.Create(() => new RemoteTrial(sweep, specJson, launch, directory, metric, queue));

    public RemoteTrial(string sweep, string specJson, TrialLaunch launch, string directory, string metric, IActorRef queue)
    {
        _sweep = sweep;
        _specJson = specJson;
        _launch = launch;
        _directory = directory;
        _queue = queue;
        _files = new TrialFiles(directory, metric);
        _log = TrialLog.For(Context, sweep, launch.Key);
        _ownFiles = Sweeps.SpecJson.Deserialize(specJson).Dataset is { Images: not null, Labels: not null } own ? own : null;
        if (_ownFiles is null) Queued();
        else Describing();
    }

    protected override void PreStart()
    {
        _files.WriteParams(_sweep, Key, _launch.Seed, _launch.Config.Parameters);
        if (_ownFiles is null) _queue.Tell(new Enqueue(_sweep, Key));
        else _queue.Tell(new DescribeData(_ownFiles));
    }

    /// <summary>The spec's own IDX files, hashed by the queue's data server, go with every offer (a worker may lack them).</summary>
    private void Describing()
    {
        Receive<DataDescribed>(described =>
        {
            if (described.Problem is { } problem)
                _log.Warning("Trial {TrialId} fold {Fold}: its data files cannot be offered to workers: {Reason}", Key.ConfigId, Key.Fold, problem);
            _data = described.Files;
            Become(Queued);
            _queue.Tell(new Enqueue(_sweep, Key));
        });
    }

    private void Queued()
    {
        Receive<Assigned>(assigned =>
        {
            _slot = assigned.Slot;
            _node = assigned.Node;
            _workId = Guid.NewGuid().ToString("N");
            Context.Watch(_slot);
            _history = _files.ReadMetrics().ToList();
            Context.Parent.Tell(new PlacedOn(Key, _node, Checkpointer.LastEpochIn(_directory)));
            _slot.Tell(new WorkOffered(_workId, _specJson, Key, _launch.Config.Parameters, _launch.Seed, _launch.MaxEpochs, [.. _history]) { Data = _data });
            _installed.Clear();
            _outgoing = OutgoingCheckpoint();
            Become(Sending);
            SendNext();
        });
        // Decisions meant for a slot that died: the next slot asks again for the epoch it resumes after.
        Receive<TrialRunnerProtocol.Continue>(_ => { });
        Receive<TrialRunnerProtocol.Stop>(_ => { });
    }

    /// <summary>last.ckpt (what a resume needs) to the slot, in acknowledged chunks.</summary>
    private void Sending()
    {
        Receive<ChunkAck>(ack => ack.WorkId == _workId, _ =>
        {
            _outgoing.Acked();
            SendNext();
        });
        Running();
    }

    private ChunkSender OutgoingCheckpoint()
    {
        var path = Path.Combine(_directory, Checkpointer.LastFile);
        var sender = new ChunkSender(_workId);
        if (File.Exists(path)) sender.Enqueue(Checkpointer.LastFile, File.ReadAllBytes(path));
        return sender;
    }

    private void SendNext()
    {
        _outgoing.Pump(_slot, Self);
        if (!_outgoing.Done) return;
        _slot.Tell(new StartWork(_workId));
        if (_lostAt is { } lost)
            _log.Info("Trial {TrialId} fold {Fold} epoch {Epoch}: resumed on {ResumedOn}, {Seconds:0.0} s after its node was lost",
                [Key.ConfigId, Key.Fold, _history.Count, _node, (DateTime.UtcNow - lost).TotalSeconds]);
        _lostAt = null;
        Become(Running);
    }

    private void Running()
    {
        Receive<EpochDone>(done => done.WorkId == _workId, done =>
        {
            var metrics = done.Metrics;
            var follows = _history.Count == metrics.Epoch - 1;
            _history = [.. _history.Take(metrics.Epoch - 1), metrics];
            if (follows) _files.Append(metrics, first: metrics.Epoch == 1);
            else _files.Rewrite(_history);
            _log.Info("Trial {TrialId} fold {Fold} epoch {Epoch} trained on {TrainedOn}", Key.ConfigId, Key.Fold, metrics.Epoch, _node);
            Context.Parent.Tell(new TrialRunnerProtocol.EpochReported(Key, metrics));
        });
        Receive<FileChunk>(chunk => chunk.WorkId == _workId, Receive);
        Receive<FileCopy>(copy => copy.WorkId == _workId, Copy);
        Receive<TrialRunnerProtocol.Continue>(_ => _slot.Tell(new Decision(_workId, null, "continue")));
        Receive<TrialRunnerProtocol.Stop>(stop => _slot.Tell(new Decision(_workId, stop.Status, stop.Reason)));
        Receive<WorkEnded>(ended => ended.WorkId == _workId, ended =>
        {
            Context.Unwatch(_slot);
            Context.Parent.Tell(new TrialRunnerProtocol.TrialFinished(ended.Outcome));
            Context.Stop(Self);
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_slot), _ => SlotLost());
        ReceiveAny(_ => { }); // a stale work id's messages
    }

    /// <summary>
    /// A trial file from the slot (checkpoint, sample grid, event file: <see cref="FileChunks.IsTrialFile"/>,
    /// never a path), installed by a rename when whole: a checkpoint only if its trailer checks, then its sidecar.
    /// </summary>
    private void Receive(FileChunk chunk)
    {
        if (!FileChunks.IsTrialFile(chunk.File))
        {
            _log.Warning("Trial {TrialId} fold {Fold} epoch {Epoch}: refused a file {File} from {Node}", Key.ConfigId, Key.Fold, _history.Count, chunk.File, _node);
            Sender.Tell(new ChunkAck(chunk.WorkId, chunk.File, chunk.Index));
            return;
        }
        var path = Path.Combine(_directory, chunk.File);
        var checkpoint = FileChunks.IsCheckpoint(chunk.File);
        if (chunk.Index == 0)
        {
            _installed.Remove(chunk.File);
            _incoming[chunk.File] = new IncomingFile(checkpoint ? path + ".upload" : path, chunk.Count);
        }
        try
        {
            if (_incoming.TryGetValue(chunk.File, out var file) && file.Add(chunk.Index, chunk.Bytes))
            {
                _incoming.Remove(chunk.File);
                _installed[chunk.File] = checkpoint ? CheckpointIntegrity.Adopt(file.Path, path) : [];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or CheckpointException)
        {
            _incoming.Remove(chunk.File);
            _log.Warning("Trial {TrialId} fold {Fold} epoch {Epoch}: {File} from {Node} not kept: {Reason}",
                [Key.ConfigId, Key.Fold, _history.Count, chunk.File, _node, e.Message]);
        }
        Sender.Tell(new ChunkAck(chunk.WorkId, chunk.File, chunk.Index));
    }

    /// <summary>best.ckpt with the bytes of the last.ckpt just installed: copied here rather than sent again.</summary>
    private void Copy(FileCopy copy)
    {
        if (FileChunks.IsCheckpoint(copy.File) && FileChunks.IsCheckpoint(copy.SameAs) && _installed.TryGetValue(copy.SameAs, out var digest))
        {
            try
            {
                CheckpointIntegrity.AdoptCopy(Path.Combine(_directory, copy.SameAs), digest, Path.Combine(_directory, copy.File));
                _installed[copy.File] = digest;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or CheckpointException)
            {
                _log.Warning("Trial {TrialId} fold {Fold} epoch {Epoch}: {File} not copied from {SameAs}: {Reason}",
                    [Key.ConfigId, Key.Fold, _history.Count, copy.File, copy.SameAs, e.Message]);
            }
        }
        else _log.Warning("Trial {TrialId} fold {Fold} epoch {Epoch}: refused to copy {SameAs} to {File} for {Node}",
            [Key.ConfigId, Key.Fold, _history.Count, copy.SameAs, copy.File, _node]);
        Sender.Tell(new ChunkAck(copy.WorkId, copy.File, 0));
    }

    private void SlotLost()
    {
        _log.Warning("Trial {TrialId} fold {Fold} epoch {Epoch}: node {LostNode} lost; queued again, to resume from its last checkpoint",
            Key.ConfigId, Key.Fold, _history.Count, _node);
        _lostAt = DateTime.UtcNow;
        _incoming.Clear();
        _outgoing.Clear();
        _slot = ActorRefs.Nobody;
        _workId = "";
        Become(Queued);
        Context.Parent.Tell(new BackInQueue(Key));
        _queue.Tell(new Enqueue(_sweep, Key));
    }
}
