using Akka.Actor;
using Akka.Event;
using Experiments.Core.Trials;
using Experiments.Training.Checkpoints;

namespace Experiments.Actors.Trials;

public static class CheckpointerProtocol
{
    public sealed record Save(CheckpointMeta Meta, IReadOnlyDictionary<string, byte[]> Sections, bool AsLast, bool AsBest);
    public sealed record Saved(int Epoch);
    /// <summary>To whoever asked to hear of checkpoints (a worker's slot, which ships them to the coordinator): which files were written.</summary>
    public sealed record Written(int Epoch, bool AsLast, bool AsBest);
    /// <summary>The answer to a <see cref="Save"/> that could not be written (disk full, permissions…): every save gets one answer.</summary>
    public sealed record SaveFailed(int Epoch, string Reason);
    public sealed record GetLast;
    /// <summary>The last good checkpoint, or nothing (Meta null) when there is none to resume from.</summary>
    public sealed record Last(CheckpointMeta? Meta, IReadOnlyDictionary<string, byte[]>? Sections);
}

/// <summary>
/// Keeps a trial's checkpoints on disk: last.ckpt (what a retry or a restarted host resumes
/// from) and best.ckpt, as the runner asks. Writes are atomic and checksummed (CheckpointFile).
/// File I/O happens here, off the trainer's thread. A damaged last checkpoint is reported and
/// ignored: the trial restarts from scratch rather than from bad state. On start (a new trial, a
/// retry, a restarted host) it repairs what a kill can leave: a sound checkpoint under a stale or
/// missing sidecar (the kill fell between the two renames) and temporaries of unfinished writes.
/// Every request gets one answer: Save → Saved or SaveFailed (with the reason), GetLast → Last
/// (nothing, when the file is missing, damaged or unreadable), so nobody waits on a failed write.
/// Supervision (by TrialRunner): Resume on I/O errors — a missed checkpoint costs a retry at
/// most one more epoch, while stopping would cost the trial.
/// </summary>
public sealed class Checkpointer : ReceiveActor
{
    public const string LastFile = "last.ckpt";
    public const string BestFile = "best.ckpt";

    /// <summary>The epoch in the header of a trial folder's last.ckpt (what a resume starts after); null when there is none or it is unreadable.</summary>
    public static int? LastEpochIn(string directory)
    {
        var path = Path.Combine(directory, LastFile);
        try { return File.Exists(path) ? CheckpointFile.ReadMeta(path).Epoch : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointException) { return null; }
    }

    private readonly ILoggingAdapter _log;
    private readonly string _directory;
    private readonly IActorRef? _notify;

    /// <param name="notify">Told <see cref="CheckpointerProtocol.Written"/> after every save, if given.</param>
    public static Props Props(string directory, string sweep, TrialKey key, IActorRef? notify = null) =>
        Akka.Actor.Props.Create(() => new Checkpointer(directory, sweep, key, notify));

    public Checkpointer(string directory, string sweep, TrialKey key, IActorRef? notify)
    {
        _directory = directory;
        _notify = notify;
        _log = TrialLog.For(Context, sweep, key);
        Serving();
    }

    protected override void PreStart()
    {
        foreach (var file in new[] { LastFile, BestFile }) Repair(Path.Combine(_directory, file));
    }

    /// <summary>Best effort: a folder it cannot mend only costs what a damaged checkpoint costs.</summary>
    private void Repair(string path)
    {
        try
        {
            var found = CheckpointIntegrity.Repair(path);
            if (found.Health is CheckpointHealth.MissingSidecar or CheckpointHealth.SidecarDisagrees)
                _log.Warning("Rewrote the digest beside {Checkpoint} of epoch {Epoch}: {Problem}", path, CheckpointFile.ReadMeta(path).Epoch, found.Problem);
            else if (found.Health == CheckpointHealth.Damaged && File.Exists(path))
                _log.Warning("{Checkpoint} is damaged and left as it is: {Problem}", path, found.Problem);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointException)
        {
            _log.Warning("Could not check {Checkpoint}: {Reason}", path, e.Message);
        }
    }

    private void Serving()
    {
        Receive<CheckpointerProtocol.Save>(save =>
        {
            var last = Path.Combine(_directory, LastFile);
            var best = Path.Combine(_directory, BestFile);
            var writing = save.AsLast ? last : best;
            try
            {
                if (save.AsLast) CheckpointFile.Write(last, save.Meta, save.Sections);
                writing = best;
                // The same state twice: copy the file rather than serialise and hash it again.
                if (save.AsBest && save.AsLast) CheckpointFile.Copy(last, best);
                else if (save.AsBest) CheckpointFile.Write(best, save.Meta, save.Sections);
            }
            catch (Exception e)
            {
                // The runner waits for an answer to every save: a failed write is one too.
                Sender.Tell(new CheckpointerProtocol.SaveFailed(save.Meta.Epoch, $"{writing} not written: {e.Message}"));
                if (e is IOException or UnauthorizedAccessException or CheckpointException) return;
                throw; // not an I/O error: the supervisor is to hear of it
            }
            Sender.Tell(new CheckpointerProtocol.Saved(save.Meta.Epoch));
            _notify?.Tell(new CheckpointerProtocol.Written(save.Meta.Epoch, save.AsLast, save.AsBest));
        });

        Receive<CheckpointerProtocol.GetLast>(_ =>
        {
            var path = Path.Combine(_directory, LastFile);
            if (!File.Exists(path))
            {
                Sender.Tell(new CheckpointerProtocol.Last(null, null));
                return;
            }
            // Also within a run: a sidecar whose write failed (disk full) must not cost the trial its progress.
            Repair(path);
            try
            {
                var (meta, sections) = CheckpointFile.Read(path);
                Sender.Tell(new CheckpointerProtocol.Last(meta, sections));
            }
            catch (Exception e) when (e is CheckpointException or IOException or UnauthorizedAccessException)
            {
                // The trainer waits for this answer: an unreadable checkpoint is answered like a damaged one.
                _log.Warning("Ignoring a damaged or unreadable checkpoint, starting over: {Reason}", e.Message);
                Sender.Tell(new CheckpointerProtocol.Last(null, null));
            }
        });
    }
}
