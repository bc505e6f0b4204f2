using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Granary.Demo;
using Granary.Testing;
using Npgsql;

// The quick start (`make run`): local staging and production control planes (or --kubeconfig), a silo, the demo fleet of
// examples/ committed to a local Git repository, Granary bootstrapped from it, and the fleet shown converging live.
// GRANARY_DEMO_EXIT_WHEN_READY=1 runs it headless: progress lines, exit 0 once everything is Ready, 1 after the deadline.
DemoOptions options;
try
{
    options = DemoOptions.Parse(args, Environment.GetEnvironmentVariable);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine($"granary-demo: {exception.Message}\n{DemoOptions.Usage}");
    return 2;
}

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Ctrl-C reaches the silo too (same process group); we stop what we started in order.
    e.Cancel = true;
    stopping.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

var started = DateTime.UtcNow;
void Progress(string line) => Console.WriteLine(line);

try
{
    return await RunAsync(stopping.Token);
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    Progress("Stopped.");
    return 0;
}
catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or IOException or NpgsqlException or HttpRequestException)
{
    Console.Error.WriteLine($"granary-demo: {exception.Message}");
    return 1;
}

async Task<int> RunAsync(CancellationToken cancellationToken)
{
    var work = Directory.CreateDirectory(options.WorkDirectory).FullName;
    var postgres = Environment.GetEnvironmentVariable("GRANARY_POSTGRES") is { Length: > 0 } fromEnvironment ? fromEnvironment : TestPostgres.ConnectionString;
    await ResetSchemaAsync(postgres, options.Schema, cancellationToken);
    Progress($"Event store: schema \"{options.Schema}\", emptied for this run.");

    await using var clusters = await DemoClusters.StartAsync(options, Progress, cancellationToken);
    var fleet = await FleetRepository.CreateAsync(options.Examples, Path.Combine(work, "fleet"), options.HasProduction, cancellationToken);
    Progress($"Fleet repository: {fleet.Path} (a copy of {options.Examples}, committed on branch main).");

    var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
    var tokenFile = Path.Combine(work, "token");
    await File.WriteAllTextAsync(tokenFile, token, cancellationToken);
    if (!OperatingSystem.IsWindows())
    {
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
    var config = Path.Combine(work, "granary.yaml");
    await File.WriteAllTextAsync(config, $"tokens:\n  - name: demo\n    role: admin\n    valueFrom:\n      file: {tokenFile}\n", cancellationToken);

    await ManagementSecrets.ApplyAsync(clusters.ManagementKubeconfig, Path.Combine(fleet.Path, "keys", "demo.agekey"), clusters.ProductionKubeconfig, cancellationToken);
    Progress($"Management cluster: namespace flux-system, Secret {ManagementSecrets.DecryptionSecret} (the DEMO age key)"
        + (clusters.ProductionKubeconfig is null ? "." : $" and Secret {ManagementSecrets.ProductionKubeconfigSecret}."));

    var tools = Path.GetDirectoryName(Tools.Kubectl)!;
    var environment = new Dictionary<string, string>
    {
        ["GRANARY_CONFIG"] = config,
        ["GRANARY_POSTGRES"] = postgres,
        ["GRANARY_SCHEMA"] = options.Schema,
        ["GRANARY_LISTEN"] = options.Listen.ToString().TrimEnd('/'),
        ["GRANARY_KUBECONFIG"] = clusters.ManagementKubeconfig,
        ["GRANARY_DATA_DIR"] = Directory.CreateDirectory(Path.Combine(work, "data")).FullName,
        ["GRANARY_KUBECTL"] = Tools.Kubectl,
        ["PATH"] = $"{tools}:{Environment.GetEnvironmentVariable("PATH")}",
    };
    Progress($"Starting the silo: {string.Join(' ', options.SiloCommand)} (log: {Path.Combine(work, "silo.log")})");
    await using var silo = await SiloProcess.StartAsync(options.SiloCommand, environment, options.Listen, Path.Combine(work, "silo.log"), TimeSpan.FromMinutes(2), cancellationToken);

    using var api = new GranaryApi(options.Listen, token);
    await api.ApplyAsync(await File.ReadAllTextAsync(Path.Combine(fleet.Path, FleetRepository.RootFile), cancellationToken), cancellationToken);
    Progress($"Bootstrapped: applied {FleetRepository.RootFile} (GitRepository and Kustomization flux-system/fleet); Granary manages the rest from Git.");

    var display = new FleetDisplay(Console.Out, redraw: !options.ExitWhenReady && !Console.IsOutputRedirected, DateTime.UtcNow);
    var deadline = DateTime.UtcNow + options.Deadline;
    var converged = false;
    var convergedAt = DateTime.UtcNow;
    while (true)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (silo.HasExited)
        {
            throw new InvalidOperationException($"the silo stopped; its log ({silo.LogPath}) ends with:\n{silo.Tail()}");
        }

        var head = await fleet.HeadAsync(cancellationToken);
        var rows = await api.ListAsync(cancellationToken);
        var nowConverged = FleetConvergence.IsConverged(rows, head);
        if (nowConverged && !converged)
        {
            convergedAt = DateTime.UtcNow.AddSeconds(1);
        }

        var header = $"Granary demo fleet at {head[..8]} ({rows.Count} resources; {(nowConverged ? "all Ready" : "converging")}, {(DateTime.UtcNow - started).TotalSeconds:0}s) — Ctrl-C stops everything";
        display.Show(rows, header, nowConverged || converged ? NextSteps(work, fleet, convergedAt) : "Waiting for every resource to be Ready...\n");
        if (nowConverged && !converged)
        {
            converged = true;
            if (!display.Redraws)
            {
                Progress($"Ready: all {rows.Count} resources at {head} after {(DateTime.UtcNow - started).TotalSeconds:0}s.");
                Console.Write(FleetDisplay.Table(rows));
            }

            if (options.ExitWhenReady)
            {
                return 0;
            }

            if (!display.Redraws)
            {
                Progress(NextSteps(work, fleet, convergedAt));
            }
        }

        if (options.ExitWhenReady && DateTime.UtcNow > deadline)
        {
            var pending = FleetConvergence.Pending(rows, head);
            Progress($"Not Ready after {options.Deadline.TotalSeconds:0}s: {pending.Count} of {rows.Count} resources at {head}:");
            foreach (var row in pending)
            {
                Progress($"  {row.Id} ready={row.Ready} revision={row.Revision ?? "-"} {row.Reason}: {row.Message}");
            }

            Progress($"The silo's log ({silo.LogPath}) ends with:\n{silo.Tail(15)}");
            return 1;
        }

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
    }
}

string NextSteps(string work, FleetRepository fleet, DateTime convergedAt)
{
    var granary = $"dotnet {Path.Combine(RepositoryRoot.Path, "silo", "Host", "bin", "Release", "net10.0", "granary.dll")}";
    var server = options.Listen.ToString().TrimEnd('/');
    return $"""
        Try next, in another shell:
          export GRANARY_SERVER={server} GRANARY_TOKEN=$(cat {Path.Combine(work, "token")})
          alias granary='{granary}'
          granary get -A                                        # the same list, as flux get
          cd {fleet.Path}
          echo '  owner: platform-team' >> infrastructure/base/cluster-info.yaml && git commit -qam "cluster-info: owner"
          granary reconcile gitrepository fleet                 # or wait up to a minute for the next fetch
          granary history kustomization infrastructure-staging  # the new commit applied: what changed, who, when
          granary trace v1 ConfigMap demo-system cluster-info   # which Kustomization applied it, from which commit
          granary at {convergedAt:yyyy-MM-dd'T'HH:mm:ss'Z'} kustomization infrastructure-staging   # as it was when the demo converged
          granary history helmrelease greeter-staging           # the release history, as helm history
        Demo only: the age key in {Path.Combine(fleet.Path, "keys", "demo.agekey")} is public; never use it for real secrets.

        """;
}

static async Task ResetSchemaAsync(string connectionString, string schema, CancellationToken cancellationToken)
{
    if (!System.Text.RegularExpressions.Regex.IsMatch(schema, "^[a-z_][a-z0-9_]{0,62}$"))
    {
        throw new InvalidOperationException($"GRANARY_SCHEMA '{schema}' is not a plain lower-case schema name");
    }

    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync(cancellationToken);
    await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
    await drop.ExecuteNonQueryAsync(cancellationToken);
}
