namespace Experiments.Host.Tests.Journal;

/// <summary>Who a host is in a shared journal: EXPERIMENTS_HOST_ID, else the id kept in its results folder.</summary>
public sealed class HostIdentitySpecs : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string? _previous = Environment.GetEnvironmentVariable(HostIdentity.Variable);

    [Fact]
    public void Should_make_a_host_id_once_and_keep_it_in_the_results_folder()
    {
        var results = _dir.File("results");

        var first = HostIdentity.OfResults(results);

        Assert.Matches("^[a-z0-9-]+-[0-9a-f]{8}$", first);
        Assert.Equal(first, File.ReadAllText(Path.Combine(results, HostIdentity.FileName)).Trim());
        Assert.Equal(first, HostIdentity.OfResults(results));
        Assert.NotEqual(first, HostIdentity.OfResults(_dir.File("another")));
    }

    [Fact]
    public void Should_take_the_host_id_from_the_environment_into_the_journal_settings()
    {
        Environment.SetEnvironmentVariable(HostIdentity.Variable, "gpu-box.2");

        var (settings, error) = JournalSettings.FromEnvironment(_dir.Path);

        Assert.Null(error);
        Assert.Equal("gpu-box.2", settings!.HostId);
    }

    [Fact]
    public async Task Should_refuse_to_start_with_a_host_id_that_is_not_one()
    {
        Environment.SetEnvironmentVariable(HostIdentity.Variable, "two words");
        var spec = _dir.Write("tiny.hocon", SpecFiles.Tiny);

        var exitCode = await Commands.RunAsync(spec, _dir.File("results"), TextWriter.Null, CancellationToken.None);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains("EXPERIMENTS_HOST_ID: 'two words' is not a host id", JournalSettings.FromEnvironment(_dir.Path).Error);
    }

    [Fact]
    public void Should_name_a_damaged_host_id_file()
    {
        var results = _dir.File("results");
        Directory.CreateDirectory(results);
        File.WriteAllText(Path.Combine(results, HostIdentity.FileName), "no/such id");

        var error = Assert.Throws<InvalidDataException>(() => HostIdentity.OfResults(results));

        Assert.Contains(Path.Combine(results, HostIdentity.FileName), error.Message);
        Assert.Contains(HostIdentity.Variable, error.Message);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(HostIdentity.Variable, _previous);
        _dir.Dispose();
    }
}
