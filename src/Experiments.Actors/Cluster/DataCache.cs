using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Cluster;

public static class DataCacheProtocol
{
    /// <summary>Where this node can read each of these files (the coordinator's bytes, checked by hash).</summary>
    public sealed record Resolve(ImmutableArray<DataFile> Files);
    /// <summary>Each file's path on the coordinator → the path to load it from here.</summary>
    public sealed record Resolved(ImmutableDictionary<string, string> Local);
    public sealed record ResolveFailed(string Reason);
}

/// <summary>
/// A worker's copy of the sweeps' own IDX files (/user/data-cache). A file is read where the spec
/// names it if that file has the coordinator's size and SHA-256 (unless <c>--fetch-data</c>),
/// else from the cache folder (DIR/SHA256/NAME, kept across runs), else fetched from the
/// coordinator's queue by hash, in acknowledged chunks, checked against the hash and installed in
/// the cache by a rename. Each file is resolved once per process, for every slot that asks.
/// Supervision: no children; a restart forgets what it resolved and checks again.
/// </summary>
public sealed class DataCache : ReceiveActor
{
    private sealed record Pending(IActorRef ReplyTo, ImmutableArray<DataFile> Files);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _queuePath;
    private readonly string _directory;
    private readonly bool _alwaysFetch;
    private readonly Dictionary<string, string> _local = new();
    private readonly Dictionary<string, string> _failed = new();
    private readonly Dictionary<string, IncomingFile> _fetching = new();
    private readonly List<Pending> _pending = new();

    /// <param name="directory">The cache folder (files by hash).</param>
    /// <param name="alwaysFetch">Never read the spec's own paths: the files always come from the coordinator (or this cache).</param>
    public static Props Props(string queuePath, string directory, bool alwaysFetch) =>
        Akka.Actor.Props.Create(() => new DataCache(queuePath, directory, alwaysFetch));

    public DataCache(string queuePath, string directory, bool alwaysFetch)
    {
        _queuePath = queuePath;
        _directory = directory;
        _alwaysFetch = alwaysFetch;
        Serving();
    }

    private string CachePath(DataFile file) => Path.Combine(_directory, file.Sha256, Path.GetFileName(file.Path));

    private void Serving()
    {
        Receive<DataCacheProtocol.Resolve>(resolve =>
        {
            // The hash names a folder here: only a SHA-256 in hex may.
            if (resolve.Files.FirstOrDefault(f => !FileChunks.IsSha256(f.Sha256) || Path.GetFileName(f.Path).Length == 0) is { } odd)
            {
                Sender.Tell(new DataCacheProtocol.ResolveFailed($"data file {odd.Path}: '{odd.Sha256}' is not a SHA-256"));
                return;
            }
            foreach (var file in resolve.Files.Where(f => !_local.ContainsKey(f.Sha256) && !_fetching.ContainsKey(f.Sha256))) Find(file);
            _pending.Add(new Pending(Sender, resolve.Files));
            Answer();
        });
        Receive<FileChunk>(chunk =>
        {
            var sha = chunk.File;
            if (chunk.WorkId != DataTransfer(sha) || !_fetching.TryGetValue(sha, out var incoming)) return;
            try
            {
                if (incoming.Add(chunk.Index, chunk.Bytes))
                {
                    _fetching.Remove(sha);
                    _local[sha] = incoming.Path;
                    _log.Info("Fetched data file {Sha256} from the coordinator into {Path}", sha, incoming.Path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                _fetching.Remove(sha);
                _failed[sha] = $"data file {sha} from the coordinator not kept: {e.Message}";
            }
            Sender.Tell(new ChunkAck(chunk.WorkId, chunk.File, chunk.Index));
            Answer();
        });
        Receive<FetchRefused>(refused =>
        {
            if (!_fetching.Remove(refused.Sha256)) return;
            _failed[refused.Sha256] = $"the coordinator did not send data file {refused.Sha256}: {refused.Reason}";
            Answer();
        });
    }

    /// <summary>The spec's path or the cache if either holds the bytes; else asks the coordinator.</summary>
    private void Find(DataFile file)
    {
        _failed.Remove(file.Sha256);
        foreach (var candidate in _alwaysFetch ? [CachePath(file)] : new[] { file.Path, CachePath(file) })
        {
            if (Holds(candidate, file))
            {
                _local[file.Sha256] = candidate;
                return;
            }
        }
        var path = CachePath(file);
        _fetching[file.Sha256] = new IncomingFile(path, FileChunks.CountOf(file.Size), (length, sha256) =>
        {
            if (length != file.Size || sha256 != file.Sha256)
                throw new InvalidDataException($"its {length} bytes do not have the size and SHA-256 the coordinator announced");
        });
        _log.Info("Fetching data file {Path} ({Size} bytes, {Sha256}) from the coordinator", file.Path, file.Size, file.Sha256);
        Context.ActorSelection(_queuePath).Tell(new FetchData(file.Sha256));
    }

    private static bool Holds(string path, DataFile file)
    {
        try
        {
            return File.Exists(path) && new FileInfo(path).Length == file.Size && FileChunks.Sha256Of(path) == file.Sha256;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Every request whose files are all here (or one of them failed) gets its answer.</summary>
    private void Answer()
    {
        foreach (var pending in _pending.ToList())
        {
            if (pending.Files.FirstOrDefault(f => _failed.ContainsKey(f.Sha256)) is { } failed)
            {
                pending.ReplyTo.Tell(new DataCacheProtocol.ResolveFailed(_failed[failed.Sha256]));
                _pending.Remove(pending);
            }
            else if (pending.Files.All(f => _local.ContainsKey(f.Sha256)))
            {
                pending.ReplyTo.Tell(new DataCacheProtocol.Resolved(pending.Files.ToImmutableDictionary(f => f.Path, f => _local[f.Sha256])));
                _pending.Remove(pending);
            }
        }
    }
}
