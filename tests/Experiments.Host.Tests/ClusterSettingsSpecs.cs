namespace Experiments.Host.Tests;

/// <summary>Where remoting may bind, and how --join is read.</summary>
public sealed class ClusterSettingsSpecs
{
    private static ClusterSettings On(string host, string secret = "") => new(host, 4053, host, 4053, "coordinator", secret);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("::1")]
    public void Should_bind_loopback_without_a_secret(string host) => Assert.Null(On(host).Problem());

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    [InlineData("build-box.example")]
    public void Should_bind_beyond_loopback_only_with_a_secret(string host)
    {
        Assert.Contains("EXPERIMENTS_CLUSTER_SECRET", On(host).Problem());
        Assert.Null(On(host, "shared").Problem());
    }

    [Fact]
    public void Should_read_join_as_host_and_port()
    {
        Assert.Equal(("10.0.0.5", 4053), ClusterSettings.ParseEndpoint("10.0.0.5:4053"));
        Assert.Null(ClusterSettings.ParseEndpoint("10.0.0.5"));
        Assert.Null(ClusterSettings.ParseEndpoint(":4053"));
        Assert.Null(ClusterSettings.ParseEndpoint("host:port"));
    }

    [Fact]
    public void Should_seed_the_cluster_at_the_coordinator_and_resolve_splits_by_keeping_the_oldest()
    {
        var config = new ClusterSettings("127.0.0.1", 0, "10.0.0.5", 4053, "worker", "s").ToConfig();
        Assert.Equal("akka.tcp://experiments@10.0.0.5:4053", config.GetStringList("akka.cluster.seed-nodes").Single());
        Assert.Equal("keep-oldest", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("akka.tcp://experiments@10.0.0.5:4053/user/work-queue", new ClusterSettings("127.0.0.1", 0, "10.0.0.5", 4053, "worker", "s").QueuePath);
    }
}
