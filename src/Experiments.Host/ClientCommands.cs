using System.CommandLine;

namespace Experiments.Host;

/// <summary>
/// submit, status, cancel and logs: the command-line client of a running `serve`
/// (<see cref="ServiceClient"/>), each with --url (default http://127.0.0.1:5080).
/// </summary>
public static class ClientCommands
{
    public static IEnumerable<Command> Create()
    {
        var file = new Argument<string>("file") { Description = "sweep spec (HOCON)" };
        var submit = new Command("submit", "Submit the sweeps of FILE to a running service") { file };
        Wire(submit, (client, parse, cancellation) => client.SubmitAsync(parse.GetValue(file)!, cancellation));

        var optionalSweep = new Argument<string?>("sweep") { Description = "a sweep's name", Arity = ArgumentArity.ZeroOrOne };
        var status = new Command("status", "Every sweep of a running service, or one sweep's progress and leaderboard") { optionalSweep };
        Wire(status, (client, parse, cancellation) => client.StatusAsync(parse.GetValue(optionalSweep), cancellation));

        var sweep = new Argument<string>("sweep") { Description = "a sweep's name" };
        var cancel = new Command("cancel", "Cancel a running sweep") { sweep };
        Wire(cancel, (client, parse, cancellation) => client.CancelAsync(parse.GetValue(sweep)!, cancellation));

        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new events until Ctrl-C" };
        var logs = new Command("logs", "A sweep's recent log events") { sweep, follow };
        Wire(logs, (client, parse, cancellation) => client.LogsAsync(parse.GetValue(sweep)!, parse.GetValue(follow), cancellation));

        return [submit, status, cancel, logs];
    }

    private static void Wire(Command command, Func<ServiceClient, ParseResult, CancellationToken, Task<int>> call)
    {
        var url = new Option<string>("--url")
        {
            Description = "the service's HTTP API (token from EXPERIMENTS_API_TOKEN)",
            DefaultValueFactory = _ => ServiceClient.DefaultUrl,
        };
        command.Options.Add(url);
        command.SetAction(async (parse, cancellation) =>
        {
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out _))
            {
                Console.Error.WriteLine($"--url: '{parse.GetValue(url)}' is not a URL such as {ServiceClient.DefaultUrl}");
                return ExitCodes.InvalidInput;
            }
            using var client = new ServiceClient(parse.GetValue(url)!, Console.Out, Console.Error);
            return await call(client, parse, cancellation);
        });
    }
}
