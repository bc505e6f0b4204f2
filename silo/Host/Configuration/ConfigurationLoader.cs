using Granary.Silo.Webhooks;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Granary.Silo.Configuration;

/// <summary>
/// Builds the host configuration from a YAML file (<c>--config</c>), <c>GRANARY_*</c> environment variables and
/// command-line flags, each overriding the one before. Unknown keys and flags are errors naming them; token and
/// webhook receiver secrets are read from the environment or a file and never appear in errors.
/// </summary>
public static class ConfigurationLoader
{
    /// <summary>The settings that have a config key, an environment variable and a flag, in one table.</summary>
    public static IReadOnlyList<Setting> Settings { get; } =
    [
        new("postgres", "GRANARY_POSTGRES", "--postgres", "the PostgreSQL connection string (Npgsql syntax)"),
        new("schema", "GRANARY_SCHEMA", "--schema", "the database schema (default granary)"),
        new("listen", "GRANARY_LISTEN", "--listen", "the HTTP listen address (default http://127.0.0.1:9090)"),
        new("siloName", "GRANARY_SILO_NAME", "--silo-name", "this silo's name in logs and metrics (default host-pid)"),
        new("kubeconfig", "GRANARY_KUBECONFIG", "--kubeconfig", "the management cluster's kubeconfig (default: in-cluster ServiceAccount in a Pod, else $KUBECONFIG or ~/.kube/config)"),
        new("kubeContext", "GRANARY_KUBE_CONTEXT", "--kube-context", "the kubeconfig context (default: current)"),
        new("dataDirectory", "GRANARY_DATA_DIR", "--data-dir", "git cache and build scratch space (default $TMPDIR/granary)"),
        new("kubectl", "GRANARY_KUBECTL", "--kubectl", "the kubectl binary kustomize builds run (default: kubectl on PATH)"),
        new("otlpEndpoint", "GRANARY_OTLP_ENDPOINT", "--otlp-endpoint", "an OTLP collector for traces and metrics (default: none)"),
        new("logFormat", "GRANARY_LOG_FORMAT", "--log-format", "text or json (default text)"),
        new("shutdownGrace", "GRANARY_SHUTDOWN_GRACE", "--shutdown-grace", "how long a stopping silo may take to finish turns and hand grains over (default 25s)"),
        new("cluster.enabled", "GRANARY_CLUSTER_ENABLED", "--cluster-enabled", "true: join the silos sharing this database and schema as a cluster (default false)"),
        new("cluster.endpoint", "GRANARY_CLUSTER_ENDPOINT", "--cluster-endpoint", "host:port peers reach this silo at (default $GRANARY_POD_IP or 127.0.0.1, with the cluster.listen port)"),
        new("cluster.listen", "GRANARY_CLUSTER_LISTEN", "--cluster-listen", "port or ip:port of the silo-to-silo HTTP/2 listener (default 11111, on the endpoint's IP)"),
        new("cluster.heartbeat", "GRANARY_CLUSTER_HEARTBEAT", "--cluster-heartbeat", "how often the silo renews its membership lease (default 1s)"),
        new("cluster.leaseTimeout", "GRANARY_CLUSTER_LEASE_TIMEOUT", "--cluster-lease-timeout", "a silo silent this long is declared dead (default 8s; more than twice the heartbeat)"),
    ];

    /// <summary>The port silos call each other on when <c>cluster.listen</c> is not set.</summary>
    public const int DefaultClusterPort = 11111;

    private static readonly string[] TokenKeys = ["name", "role", "valueFrom"];
    private static readonly string[] SecretSourceKeys = ["env", "file"];

    /// <summary>
    /// Loads the configuration. <paramref name="arguments"/> are the flags after the verb (including
    /// <c>--config</c>); <paramref name="environment"/> reads a variable (the process environment by default).
    /// </summary>
    /// <exception cref="ConfigurationException">A key, flag or value is invalid; the message names it and the fix.</exception>
    public static HostConfiguration Load(IReadOnlyList<string> arguments, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var flags = ParseFlags(arguments);
        var values = new Dictionary<string, Value>(StringComparer.Ordinal);
        IReadOnlyList<ApiToken> tokens = [];
        IReadOnlyList<Receiver> receivers = [];

        var configFile = flags.TryGetValue("--config", out var fromFlag) ? fromFlag : environment("GRANARY_CONFIG");
        if (!string.IsNullOrEmpty(configFile))
        {
            (tokens, receivers) = ReadFile(configFile, values, environment);
        }

        foreach (var setting in Settings)
        {
            if (environment(setting.EnvironmentVariable) is { Length: > 0 } fromEnvironment)
            {
                values[setting.Key] = new Value(fromEnvironment, setting.EnvironmentVariable);
            }

            if (flags.TryGetValue(setting.Flag, out var flag))
            {
                values[setting.Key] = new Value(flag, setting.Flag);
            }
        }

        return Build(values, tokens, receivers, environment);
    }

    private static Dictionary<string, string> ParseFlags(IReadOnlyList<string> arguments)
    {
        var known = Settings.Select(s => s.Flag).Append("--config").ToHashSet(StringComparer.Ordinal);
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? argument[..equals] : argument;
            if (!known.Contains(name))
            {
                throw new ConfigurationException($"{name}: unknown flag; the flags are {string.Join(", ", known.Order(StringComparer.Ordinal))}");
            }

            if (equals > 0)
            {
                flags[name] = argument[(equals + 1)..];
            }
            else if (i + 1 < arguments.Count && !arguments[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                flags[name] = arguments[++i];
            }
            else
            {
                throw new ConfigurationException($"{name}: needs a value, e.g. {name} <value> or {name}=<value>");
            }
        }

        return flags;
    }

    private static (IReadOnlyList<ApiToken> Tokens, IReadOnlyList<Receiver> Receivers) ReadFile(string path, Dictionary<string, Value> values, Func<string, string?> environment)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{path}: the config file cannot be read ({exception.Message}); check --config or GRANARY_CONFIG");
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            throw new ConfigurationException($"{path}: not valid YAML at line {exception.Start.Line}: {exception.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return ([], []);
        }

        if (stream.Documents.Count > 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigurationException($"{path}: the config file is one YAML mapping of keys ({KnownKeys()})");
        }

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        IReadOnlyList<ApiToken> tokens = [];
        IReadOnlyList<Receiver> receivers = [];
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            if (key == "tokens")
            {
                tokens = ReadTokens(path, valueNode, baseDirectory, environment);
                continue;
            }

            if (key == "receivers")
            {
                receivers = ReceiverReader.Read(path, valueNode, baseDirectory, environment);
                continue;
            }

            if (valueNode is YamlMappingNode section && Settings.Any(s => s.Key.StartsWith(key + ".", StringComparison.Ordinal)))
            {
                // A section (`cluster:` with `enabled:`, …) is the same as its dotted keys (`cluster.enabled:`).
                foreach (var (innerKey, innerValue) in section.Children)
                {
                    ReadScalar(path, $"{key}.{((YamlScalarNode)innerKey).Value}", innerKey, innerValue, values);
                }

                continue;
            }

            ReadScalar(path, key, keyNode, valueNode, values);
        }

        return (tokens, receivers);
    }

    private static void ReadScalar(string path, string key, YamlNode keyNode, YamlNode valueNode, Dictionary<string, Value> values)
    {
        if (!Settings.Any(s => s.Key == key))
        {
            throw new ConfigurationException($"{path}: {key}: unknown key (line {keyNode.Start.Line}); the keys are {KnownKeys()}");
        }

        if (valueNode is not YamlScalarNode { Value: { } scalar })
        {
            throw new ConfigurationException($"{path}: {key}: expected a single value (line {valueNode.Start.Line})");
        }

        values[key] = new Value(scalar, $"{path}: {key}");
    }

    private static List<ApiToken> ReadTokens(string path, YamlNode node, string baseDirectory, Func<string, string?> environment)
    {
        var tokens = new List<ApiToken>();
        foreach (var (at, fields) in Entries(node, $"{path}: tokens", TokenKeys))
        {
            var name = Scalar(fields, "name", at);
            var roleText = Scalar(fields, "role", at);
            var role = roleText switch
            {
                "read" => ApiRole.Read,
                "admin" => ApiRole.Admin,
                _ => throw new ConfigurationException($"{at}.role: '{roleText}' is not a role; use read or admin"),
            };
            if (tokens.Any(t => t.Name == name))
            {
                throw new ConfigurationException($"{at}.name: token name '{name}' is used twice; names identify actors, give each token its own");
            }

            tokens.Add(new ApiToken(name, role, Secret(fields, "valueFrom", at, $"token '{name}'", baseDirectory, environment)));
        }

        return tokens;
    }

    /// <summary>
    /// Reads the secret that <c>fields[key]</c> points at — <c>{env: VARIABLE}</c> or <c>{file: path}</c> (relative to
    /// the config file) — for <paramref name="what"/>, e.g. <c>token 'ci'</c>. Errors name the entry, never the value.
    /// </summary>
    internal static string Secret(Dictionary<string, YamlNode> fields, string key, string at, string what, string baseDirectory, Func<string, string?> environment)
    {
        if (!fields.TryGetValue(key, out var node) || node is not YamlMappingNode reference)
        {
            throw new ConfigurationException($"{at}.{key}: required; give {key}.env (an environment variable) or {key}.file (a file) holding the secret of {what} — never the secret itself");
        }

        var source = Fields(reference, $"{at}.{key}", SecretSourceKeys);
        if (source.Count != 1)
        {
            throw new ConfigurationException($"{at}.{key}: give exactly one of env or file");
        }

        var value = source.ContainsKey("env")
            ? FromEnvironment(Scalar(source, "env", $"{at}.{key}"), $"{at}.{key}", what, environment)
            : FromFile(Scalar(source, "file", $"{at}.{key}"), $"{at}.{key}", baseDirectory);
        return value.Length >= 16
            ? value
            : throw new ConfigurationException($"{at}: the value of {what} is shorter than 16 characters; use a random value, e.g. `openssl rand -hex 32`");
    }

    private static string FromEnvironment(string variable, string at, string what, Func<string, string?> environment) =>
        environment(variable) is { Length: > 0 } value
            ? value.Trim()
            : throw new ConfigurationException($"{at}.env: environment variable {variable} is not set or empty; set it to the secret of {what}");

    private static string FromFile(string file, string at, string baseDirectory)
    {
        var full = Path.IsPathRooted(file) ? file : Path.Combine(baseDirectory, file);
        try
        {
            return File.ReadAllText(full).Trim();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{at}.file: {full} cannot be read ({exception.GetType().Name}); check the path and its permissions");
        }
    }

    /// <summary>
    /// The entries of the list <paramref name="node"/> at <paramref name="at"/> (e.g. <c>file: tokens</c>), each with
    /// its place (<c>file: tokens[0]</c>) and fields; a non-list, an entry that is no mapping, or an unknown key is an error naming it.
    /// </summary>
    internal static IEnumerable<(string At, Dictionary<string, YamlNode> Fields)> Entries(YamlNode node, string at, string[] keys)
    {
        if (node is not YamlSequenceNode list)
        {
            throw new ConfigurationException($"{at}: expected a list of {{{string.Join(", ", keys)}}}");
        }

        for (var index = 0; index < list.Children.Count; index++)
        {
            var entryAt = $"{at}[{index}]";
            yield return list.Children[index] is YamlMappingNode entry
                ? (entryAt, Fields(entry, entryAt, keys))
                : throw new ConfigurationException($"{entryAt}: expected a mapping with {string.Join(", ", keys)}");
        }
    }

    /// <summary>The keys of <paramref name="mapping"/>; a key not in <paramref name="known"/> is an error naming it and the keys allowed.</summary>
    internal static Dictionary<string, YamlNode> Fields(YamlMappingNode mapping, string at, string[] known)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            if (!known.Contains(key))
            {
                throw new ConfigurationException($"{at}.{key}: unknown key; the keys here are {string.Join(", ", known)}");
            }

            fields[key] = valueNode;
        }

        return fields;
    }

    /// <summary>The non-empty single value of <c>fields[key]</c>; missing or empty is an error naming <c>at.key</c>.</summary>
    internal static string Scalar(Dictionary<string, YamlNode> fields, string key, string at) =>
        fields.TryGetValue(key, out var node) && node is YamlScalarNode { Value: { Length: > 0 } value }
            ? value
            : throw new ConfigurationException($"{at}.{key}: required; give it a value");

    private static string KnownKeys() => string.Join(", ", Settings.Select(s => s.Key).Append("tokens").Append("receivers"));

    private static HostConfiguration Build(Dictionary<string, Value> values, IReadOnlyList<ApiToken> tokens, IReadOnlyList<Receiver> receivers, Func<string, string?> environment)
    {
        string? Get(string key) => values.TryGetValue(key, out var value) ? value.Text : null;
        var postgres = Get("postgres");
        if (string.IsNullOrWhiteSpace(postgres))
        {
            throw new ConfigurationException("postgres: not set; set GRANARY_POSTGRES, pass --postgres, or add `postgres:` to the config file (an Npgsql connection string)");
        }

        var defaults = new HostConfiguration { Postgres = postgres };
        return defaults with
        {
            Schema = Get("schema") is { } schema ? CheckSchema(schema, values["schema"].Origin) : defaults.Schema,
            Listen = Get("listen") is { } listen ? CheckListen(listen, values["listen"].Origin) : defaults.Listen,
            SiloName = Get("siloName") ?? defaults.SiloName,
            Kubeconfig = Get("kubeconfig"),
            KubeContext = Get("kubeContext"),
            DataDirectory = Get("dataDirectory") ?? defaults.DataDirectory,
            KubectlPath = Get("kubectl") ?? defaults.KubectlPath,
            OtlpEndpoint = Get("otlpEndpoint") is { } otlp ? CheckUri(otlp, values["otlpEndpoint"].Origin) : null,
            LogFormat = Get("logFormat") switch
            {
                null or "text" => LogFormat.Text,
                "json" => LogFormat.Json,
                var other => throw new ConfigurationException($"{values["logFormat"].Origin}: '{other}' is not a log format; use text or json"),
            },
            Tokens = tokens,
            Receivers = receivers,
            ShutdownGrace = Get("shutdownGrace") is { } grace ? CheckDuration(grace, values["shutdownGrace"].Origin) : defaults.ShutdownGrace,
            Cluster = BuildCluster(values, environment),
        };
    }

    /// <summary>The <c>cluster.*</c> settings; null unless <c>cluster.enabled</c> is true (other cluster keys alone are an error, not ignored).</summary>
    private static ClusterConfiguration? BuildCluster(Dictionary<string, Value> values, Func<string, string?> environment)
    {
        var enabled = values.TryGetValue("cluster.enabled", out var enabledValue) && enabledValue.Text.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new ConfigurationException($"{enabledValue.Origin}: '{enabledValue.Text}' is not a boolean; use true or false"),
        };
        var clusterKeys = values.Keys.Where(k => k.StartsWith("cluster.", StringComparison.Ordinal) && k != "cluster.enabled").Order(StringComparer.Ordinal).ToList();
        if (!enabled)
        {
            return clusterKeys.Count == 0
                ? null
                : throw new ConfigurationException($"{values[clusterKeys[0]].Origin}: set, but cluster.enabled is not true; set cluster.enabled: true (GRANARY_CLUSTER_ENABLED=true, --cluster-enabled true) to join a cluster, or remove {string.Join(", ", clusterKeys)}");
        }

        var defaults = new ClusterConfiguration { Endpoint = string.Empty, Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, DefaultClusterPort) };
        (string Host, int Port)? endpoint = values.TryGetValue("cluster.endpoint", out var endpointValue) ? CheckHostPort(endpointValue.Text, endpointValue.Origin) : null;
        System.Net.IPAddress? listenAddress = null;
        var listenPort = endpoint?.Port ?? DefaultClusterPort;
        if (values.TryGetValue("cluster.listen", out var listenValue))
        {
            (listenAddress, listenPort) = CheckListenEndpoint(listenValue.Text, listenValue.Origin);
        }

        var podIp = environment("GRANARY_POD_IP");
        if (endpoint is null && !string.IsNullOrEmpty(podIp) && !System.Net.IPAddress.TryParse(podIp, out _))
        {
            throw new ConfigurationException($"GRANARY_POD_IP: '{podIp}' is not an IP address; set it from the Pod's status.podIP (fieldRef), or set cluster.endpoint");
        }

        var advertised = endpoint ?? (string.IsNullOrEmpty(podIp) ? "127.0.0.1" : podIp, listenPort);
        listenAddress ??= System.Net.IPAddress.TryParse(advertised.Host, out var advertisedIp) ? advertisedIp : System.Net.IPAddress.Any;
        var heartbeat = values.TryGetValue("cluster.heartbeat", out var heartbeatValue) ? CheckDuration(heartbeatValue.Text, heartbeatValue.Origin) : defaults.Heartbeat;
        var lease = values.TryGetValue("cluster.leaseTimeout", out var leaseValue) ? CheckDuration(leaseValue.Text, leaseValue.Origin) : defaults.LeaseTimeout;
        if (lease <= 2 * heartbeat)
        {
            throw new ConfigurationException($"{(values.ContainsKey("cluster.leaseTimeout") ? leaseValue.Origin : "cluster.leaseTimeout")}: {lease.TotalSeconds:0.###}s is not more than twice cluster.heartbeat ({heartbeat.TotalSeconds:0.###}s): a silo stops serving after half its lease without renewing, so it would stop between two heartbeats; raise cluster.leaseTimeout or lower cluster.heartbeat");
        }

        return defaults with
        {
            Endpoint = $"{(advertised.Host.Contains(':', StringComparison.Ordinal) ? $"[{advertised.Host}]" : advertised.Host)}:{advertised.Port}",
            Listen = new System.Net.IPEndPoint(listenAddress, listenPort),
            Heartbeat = heartbeat,
            LeaseTimeout = lease,
        };
    }

    private static (string Host, int Port) CheckHostPort(string text, string origin)
    {
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon].Trim('[', ']') : string.Empty;
        return colon > 0 && host.Length > 0 && int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            && (System.Net.IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns)
            ? (host, port)
            : throw new ConfigurationException($"{origin}: '{text}' is not an endpoint; use <host>:<port> that the other silos can reach, e.g. 10.0.3.7:11111 or granary-0.granary:11111");
    }

    private static (System.Net.IPAddress? Address, int Port) CheckListenEndpoint(string text, string origin)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
        {
            return (null, port);
        }

        return System.Net.IPEndPoint.TryParse(text, out var listen) && listen.Port is > 0 and <= 65535 && text.Contains(':', StringComparison.Ordinal)
            ? (listen.Address, listen.Port)
            : throw new ConfigurationException($"{origin}: '{text}' is not a silo-to-silo listen address; use a port (e.g. 11111) or <ip>:<port> (e.g. 0.0.0.0:11111)");
    }

    private static TimeSpan CheckDuration(string text, string origin) =>
        Granary.Contracts.Resources.GoDuration.TryParse(text, out var duration, out var error) && duration.Value > TimeSpan.Zero
            ? duration.Value
            : throw new ConfigurationException($"{origin}: '{text}' is not a positive duration ({(error.Length > 0 ? error : "it must be more than zero")}); use e.g. 500ms, 2s or 1m30s");

    private static string CheckSchema(string schema, string origin) =>
        schema.Length is > 0 and < 64 && char.IsAsciiLetterLower(schema[0]) && schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? schema
            : throw new ConfigurationException($"{origin}: '{schema}' is not a schema name; use lower-case letters, digits and _ (starting with a letter)");

    private static string CheckListen(string listen, string origin) =>
        Uri.TryCreate(listen, UriKind.Absolute, out var uri) && uri.Scheme == "http" && uri.AbsolutePath == "/" && !listen.EndsWith(":", StringComparison.Ordinal)
            ? listen
            : throw new ConfigurationException($"{origin}: '{listen}' is not a listen address; use http://<host>:<port>, e.g. http://0.0.0.0:9090 (terminate TLS in front of the silo)");

    private static Uri CheckUri(string text, string origin) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ConfigurationException($"{origin}: '{text}' is not an OTLP endpoint; use http(s)://<host>:<port>, e.g. http://otel-collector:4317");

    private readonly record struct Value(string Text, string Origin);

    /// <summary>One setting: its key in the config file, its environment variable, its flag and what it is.</summary>
    public sealed record Setting(string Key, string EnvironmentVariable, string Flag, string Description);
}
