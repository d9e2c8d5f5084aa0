using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Cluster;
using Experiments.Actors.Tests.Support;
using Experiments.Tests;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Tests.Cluster;

/// <summary>A worker's IDX files: the spec's path when it holds the coordinator's bytes, else fetched by hash, checked, kept by hash.</summary>
public sealed class DataCacheSpecs() : TestKit(TestConfig.Actors), IDisposable
{
    private readonly TempDir _dir = new();

    private (IActorRef Cache, TestProbe Coordinator) Start(bool alwaysFetch)
    {
        var coordinator = CreateTestProbe();
        return (Sys.ActorOf(DataCache.Props(coordinator.Ref.Path.ToString(), _dir.File("cache"), alwaysFetch)), coordinator);
    }

    private (string Path, byte[] Bytes, DataFile File) Announced(string name, int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        File.WriteAllBytes(_dir.File(name), bytes);
        return (_dir.File(name), bytes, new DataFile(_dir.File(name), FileChunks.Sha256Of(bytes), bytes.Length));
    }

    private static void Send(TestProbe coordinator, IActorRef cache, DataFile file, byte[] bytes)
    {
        for (var i = 0; i < FileChunks.CountOf(bytes.Length); i++)
        {
            cache.Tell(new FileChunk(DataTransfer(file.Sha256), file.Sha256, i, FileChunks.CountOf(bytes.Length), FileChunks.Chunk(bytes, i)), coordinator.Ref);
            coordinator.ExpectMsg<ChunkAck>(a => Assert.Equal(i, a.Index));
        }
    }

    [Fact]
    public void Should_read_the_specs_own_path_when_it_holds_the_coordinators_bytes()
    {
        var (cache, _) = Start(alwaysFetch: false);
        var (path, _, file) = Announced("images", 1000);
        cache.Tell(new DataCacheProtocol.Resolve([file]));
        ExpectMsg<DataCacheProtocol.Resolved>(r => Assert.Equal(path, r.Local[path]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Should_fetch_a_file_by_hash_and_keep_it_in_the_cache_when_the_path_here_has_other_bytes_or_fetching_is_forced(bool alwaysFetch)
    {
        var (cache, coordinator) = Start(alwaysFetch);
        var (path, bytes, file) = Announced("images", FileChunks.ChunkSize + 10);
        if (!alwaysFetch) File.WriteAllBytes(path, new byte[bytes.Length]); // the same name holds other bytes on this machine
        cache.Tell(new DataCacheProtocol.Resolve([file]));
        coordinator.ExpectMsg<FetchData>(f => Assert.Equal(file.Sha256, f.Sha256));
        Send(coordinator, cache, file, bytes);
        var local = ExpectMsg<DataCacheProtocol.Resolved>().Local[path];
        Assert.Equal(Path.Combine(_dir.File("cache"), file.Sha256, "images"), local);
        Assert.Equal(bytes, File.ReadAllBytes(local));
    }

    [Fact]
    public void Should_refuse_fetched_bytes_that_lack_the_announced_hash()
    {
        var (cache, coordinator) = Start(alwaysFetch: true);
        var (_, bytes, file) = Announced("labels", 100);
        cache.Tell(new DataCacheProtocol.Resolve([file]));
        coordinator.ExpectMsg<FetchData>();
        bytes[0] ^= 0xff;
        Send(coordinator, cache, file, bytes);
        ExpectMsg<DataCacheProtocol.ResolveFailed>(f => Assert.Contains("do not have the size and SHA-256 the coordinator announced", f.Reason));
        Assert.False(Directory.Exists(Path.Combine(_dir.File("cache"), file.Sha256))); // nothing written
    }

    [Fact]
    public void Should_fail_the_request_when_the_coordinator_refuses_the_file()
    {
        var (cache, coordinator) = Start(alwaysFetch: true);
        var (_, _, file) = Announced("labels", 100);
        cache.Tell(new DataCacheProtocol.Resolve([file]));
        coordinator.ExpectMsg<FetchData>();
        cache.Tell(new FetchRefused(file.Sha256, "changed on the coordinator"), coordinator.Ref);
        ExpectMsg<DataCacheProtocol.ResolveFailed>(f => Assert.Contains("changed on the coordinator", f.Reason));
    }

    [Fact]
    public void Should_refuse_a_hash_that_is_not_a_sha256_since_it_names_a_folder()
    {
        var (cache, _) = Start(alwaysFetch: true);
        cache.Tell(new DataCacheProtocol.Resolve([new DataFile(_dir.File("images"), "../../elsewhere", 10)]));
        ExpectMsg<DataCacheProtocol.ResolveFailed>(f => Assert.Contains("is not a SHA-256", f.Reason));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _dir.Dispose();
    }
}
