using Granary.Silo.Webhooks;

namespace Granary.Silo.Configuration;

/// <summary>Everything a silo host needs to run, after the config file, environment and flags were merged.</summary>
public sealed record HostConfiguration
{
    /// <summary>The PostgreSQL connection string (Npgsql syntax).</summary>
    public required string Postgres { get; init; }

    /// <summary>The database schema for events, snapshots, reminders and read models.</summary>
    public string Schema { get; init; } = "granary";

    /// <summary>Where the HTTP API listens, e.g. <c>http://0.0.0.0:9090</c>; port 0 picks a free port.</summary>
    public string Listen { get; init; } = "http://127.0.0.1:9090";

    /// <summary>This silo's name in logs and metrics.</summary>
    public string SiloName { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The kubeconfig of the management cluster; null uses the in-cluster ServiceAccount in a Pod, else kubectl's default kubeconfig.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The kubeconfig context; null uses the current context.</summary>
    public string? KubeContext { get; init; }

    /// <summary>Where git caches, artifacts being built and build scratch space live.</summary>
    public string DataDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "granary");

    /// <summary>The kubectl binary that runs kustomize builds the native renderer cannot do.</summary>
    public string KubectlPath { get; init; } = "kubectl";

    /// <summary>The API bearer tokens, with their values resolved.</summary>
    public IReadOnlyList<ApiToken> Tokens { get; init; } = [];

    /// <summary>The webhook receivers served under <c>/hooks/{name}</c>, with their secrets resolved.</summary>
    public IReadOnlyList<Receiver> Receivers { get; init; } = [];

    /// <summary>An OpenTelemetry collector (OTLP) to send traces and metrics to; null sends none.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>How logs are written.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>The event feed is read for the resource list at this pace when no notification arrives.</summary>
    public TimeSpan ProjectionPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often due reminders are looked for.</summary>
    public TimeSpan ReminderPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a stopping silo may take to finish in-flight turns and hand its grains over before it exits anyway.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>How this silo joins a cluster; null runs a single silo.</summary>
    public ClusterConfiguration? Cluster { get; init; }

    /// <summary>The connection string without its password, for logs and messages.</summary>
    public string RedactedPostgres
    {
        get
        {
            try
            {
                var builder = new Npgsql.NpgsqlConnectionStringBuilder(Postgres);
                if (!string.IsNullOrEmpty(builder.Password))
                {
                    builder.Password = "redacted";
                }

                return builder.ConnectionString;
            }
            catch (ArgumentException)
            {
                return "(not a valid connection string)";
            }
        }
    }

    /// <summary>Prints the settings with the password redacted and tokens by name only (records print every property otherwise).</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Postgres = {RedactedPostgres}, Schema = {Schema}, Listen = {Listen}, SiloName = {SiloName}, Kubeconfig = {Kubeconfig ?? "(in-cluster)"}, ");
        builder.Append($"KubeContext = {KubeContext ?? "(current)"}, DataDirectory = {DataDirectory}, KubectlPath = {KubectlPath}, OtlpEndpoint = {OtlpEndpoint?.ToString() ?? "(none)"}, ");
        builder.Append($"LogFormat = {LogFormat}, ShutdownGrace = {ShutdownGrace}, Cluster = {Cluster?.ToString() ?? "(single silo)"}, Tokens = [{string.Join(", ", Tokens)}], Receivers = [{string.Join(", ", Receivers)}]");
        return true;
    }
}

/// <summary>The <c>cluster.*</c> settings: where peers reach this silo, where it listens for them, and the membership clocks.</summary>
public sealed record ClusterConfiguration
{
    /// <summary>The advertised <c>host:port</c> peers call this silo at.</summary>
    public required string Endpoint { get; init; }

    /// <summary>Where the silo-to-silo HTTP/2 listener binds.</summary>
    public required System.Net.IPEndPoint Listen { get; init; }

    /// <summary>How often the silo renews its lease and re-reads the membership table.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A silo whose lease is this old is declared dead (it stops serving itself after half of it).</summary>
    public TimeSpan LeaseTimeout { get; init; } = TimeSpan.FromSeconds(8);
}

/// <summary>How logs are written: one human-readable line, or one JSON object per line.</summary>
public enum LogFormat
{
    /// <summary>One line of text per entry.</summary>
    Text,

    /// <summary>One JSON object per entry, with the message template's values as fields.</summary>
    Json,
}
