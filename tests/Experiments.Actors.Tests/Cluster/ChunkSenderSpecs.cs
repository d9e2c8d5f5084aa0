using Akka.TestKit.Xunit2;
using Experiments.Actors.Cluster;
using Experiments.Actors.Tests.Support;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Tests.Cluster;

/// <summary>Files to a peer: a window of chunks, a newer version replacing a waiting one (never one begun), a copy that never refers to bytes not sent.</summary>
public sealed class ChunkSenderSpecs() : TestKit(TestConfig.Actors)
{
    [Fact]
    public void Should_send_best_as_a_copy_of_the_last_checkpoint_sent_just_before()
    {
        var peer = CreateTestProbe();
        var sender = new ChunkSender("w");
        byte[] state = [1, 2, 3];
        sender.Enqueue("last.ckpt", state);
        sender.EnqueueCopy("best.ckpt", "last.ckpt", state);
        sender.Pump(peer.Ref, TestActor);
        peer.ExpectMsg<FileChunk>(c => Assert.Equal("last.ckpt", c.File));
        peer.ExpectMsg<FileCopy>(c => Assert.Equal(("best.ckpt", "last.ckpt"), (c.File, c.SameAs)));
    }

    [Fact]
    public void Should_send_the_copy_as_bytes_of_its_own_when_a_newer_last_checkpoint_replaces_the_waiting_one()
    {
        var peer = CreateTestProbe();
        var sender = new ChunkSender("w");
        byte[] old = [1, 2, 3];
        sender.Enqueue("last.ckpt", old);
        sender.EnqueueCopy("best.ckpt", "last.ckpt", old);
        sender.Enqueue("last.ckpt", [4, 5]);
        sender.Pump(peer.Ref, TestActor);
        var sent = new[] { peer.ExpectMsg<FileChunk>(), peer.ExpectMsg<FileChunk>() }.ToDictionary(c => c.File, c => c.Bytes);
        Assert.Equal(old, sent["best.ckpt"]);
        Assert.Equal([4, 5], sent["last.ckpt"]);
    }

    [Fact]
    public void Should_keep_at_most_a_window_of_chunks_unacknowledged()
    {
        var peer = CreateTestProbe();
        var sender = new ChunkSender("w");
        sender.Enqueue("samples-epoch-001.png", new byte[(FileChunks.Window + 1) * FileChunks.ChunkSize]);
        sender.Pump(peer.Ref, TestActor);
        for (var i = 0; i < FileChunks.Window; i++) peer.ExpectMsg<FileChunk>(c => Assert.Equal(i, c.Index));
        sender.Pump(peer.Ref, TestActor);
        Assert.False(peer.HasMessages);
        sender.Acked();
        sender.Pump(peer.Ref, TestActor);
        peer.ExpectMsg<FileChunk>(c => Assert.Equal(FileChunks.Window, c.Index));
        Assert.False(sender.Done);
        for (var i = 0; i <= FileChunks.Window; i++) sender.Acked();
        Assert.True(sender.Done);
    }

    [Fact]
    public void Should_finish_a_file_already_begun_before_its_newer_version_so_a_file_rewritten_every_epoch_still_arrives()
    {
        var peer = CreateTestProbe();
        var sender = new ChunkSender("w");
        var old = new byte[(FileChunks.Window + 1) * FileChunks.ChunkSize];
        old[^1] = 1;
        sender.Enqueue("last.ckpt", old);
        sender.Pump(peer.Ref, TestActor);
        for (var i = 0; i < FileChunks.Window; i++) peer.ExpectMsg<FileChunk>(c => Assert.Equal(i, c.Index));

        sender.Enqueue("last.ckpt", [7]);
        sender.Enqueue("last.ckpt", [8]);
        for (var i = 0; i < FileChunks.Window; i++) sender.Acked();
        sender.Pump(peer.Ref, TestActor);

        peer.ExpectMsg<FileChunk>(c => Assert.Equal((FileChunks.Window, (byte)1), (c.Index, c.Bytes[^1])));
        var newest = peer.ExpectMsg<FileChunk>();
        Assert.Equal((0, 1), (newest.Index, newest.Count));
        Assert.Equal([8], newest.Bytes);
        Assert.False(peer.HasMessages);
    }
}
