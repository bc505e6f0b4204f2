using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Testing.Helm;

/// <summary>
/// A Helm chart repository on 127.0.0.1 for tests: charts packaged with the real helm binary and indexed with
/// <c>helm repo index</c>, served over HTTP (optionally behind basic auth), and the same charts through a tiny OCI
/// distribution responder (<c>/v2/charts/&lt;name&gt;/tags/list</c>, manifests, blobs).
/// </summary>
public sealed class TestHelmRepository : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-helm-repo-").FullName;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, byte[]>> _manifests = new(StringComparer.Ordinal);
    private readonly List<string> _requests = [];
    private readonly Lock _gate = new();
    private readonly Task _serving;
    private readonly (string User, string Password)? _basicAuth;

    private TestHelmRepository((string, string)? basicAuth, int port)
    {
        _basicAuth = basicAuth;
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    /// <summary>The port served on.</summary>
    public int Port { get; }

    /// <summary>The HTTP repository URL (a HelmRepository's spec.url).</summary>
    public string Url => $"http://127.0.0.1:{Port}/";

    /// <summary>The OCI repository URL (spec.url with type oci and insecure: true).</summary>
    public string OciUrl => $"oci://127.0.0.1:{Port}/charts";

    /// <summary>Every request path served so far, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts a repository; with <paramref name="basicAuth"/> every request needs those credentials.</summary>
    public static TestHelmRepository Start((string User, string Password)? basicAuth = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new TestHelmRepository(basicAuth, NextPort());
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Another process took the port between the probe and the bind.
            }
        }
    }

    /// <summary>Packages <paramref name="charts"/> with helm, adds them, and regenerates the index (relative URLs, or absolute with <paramref name="absoluteUrls"/>).</summary>
    public void Add(bool absoluteUrls = false, params TestChart[] charts)
    {
        foreach (var chart in charts)
        {
            var source = Path.Combine(_directory, "src", $"{chart.Name}-{chart.Version}", chart.Name);
            foreach (var (relative, content) in chart.AllFiles())
            {
                var full = Path.Combine(source, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, content);
            }

            var packages = Path.Combine(_directory, "packages");
            Helm("package", source, "--destination", packages);
            var file = $"{chart.Name}-{chart.Version}.tgz";
            var bytes = File.ReadAllBytes(Path.Combine(packages, file));
            var config = Encoding.UTF8.GetBytes(new JsonObject { ["apiVersion"] = "v2", ["name"] = chart.Name, ["version"] = chart.Version, ["appVersion"] = chart.AppVersion }.ToJsonString());
            var manifest = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["config"] = Descriptor("application/vnd.cncf.helm.config.v1+json", config),
                ["layers"] = new JsonArray(Descriptor("application/vnd.cncf.helm.chart.content.v1.tar+gzip", bytes)),
            }.ToJsonString());
            lock (_gate)
            {
                _files[file] = bytes;
                _blobs[Digest(config)] = config;
                _blobs[Digest(bytes)] = bytes;
                if (!_manifests.TryGetValue(chart.Name, out var tags))
                {
                    _manifests[chart.Name] = tags = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                }

                tags[chart.Version.Replace('+', '_')] = manifest;
            }
        }

        var packagesDirectory = Path.Combine(_directory, "packages");
        var arguments = new List<string> { "repo", "index", packagesDirectory };
        if (absoluteUrls)
        {
            arguments.AddRange(["--url", Url + "charts"]);
        }

        Helm([.. arguments]);
        var index = File.ReadAllBytes(Path.Combine(packagesDirectory, "index.yaml"));
        lock (_gate)
        {
            _files["index.yaml"] = index;
        }
    }

    /// <summary>Pushes an OCI artifact that is not a chart: one layer of <paramref name="mediaType"/> at <c>charts/&lt;name&gt;:&lt;tag&gt;</c>.</summary>
    public void AddArtifact(string name, string tag, string mediaType, byte[] layer)
    {
        var config = Encoding.UTF8.GetBytes("{}");
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", config),
            ["layers"] = new JsonArray(Descriptor(mediaType, layer)),
        }.ToJsonString());
        lock (_gate)
        {
            _blobs[Digest(config)] = config;
            _blobs[Digest(layer)] = layer;
            if (!_manifests.TryGetValue(name, out var tags))
            {
                _manifests[name] = tags = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            }

            tags[tag] = manifest;
        }
    }

    /// <summary>Serves other bytes for a chart tarball than the index's digest says (over HTTP and as its OCI layer blob).</summary>
    public void Tamper(string chart, string version)
    {
        lock (_gate)
        {
            var file = $"{chart}-{version}.tgz";
            var original = _files[file];
            var tampered = original.Concat(new byte[] { 0 }).ToArray();
            _files[file] = tampered;
            _blobs[Digest(original)] = tampered;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Close alone: after Stop, .NET's managed listener re-binds the port to remove its prefixes and fails when another
        // test took the port meanwhile ("Address already in use").
        _listener.Close();
        await _serving; // closing the listener ends the accept loop

        Directory.Delete(_directory, recursive: true);
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Answer(context));
        }
    }

    private void Answer(HttpListenerContext context)
    {
        using var response = context.Response;
        var path = context.Request.Url!.AbsolutePath;
        lock (_gate)
        {
            _requests.Add(path);
        }

        if (_basicAuth is { } auth)
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.User}:{auth.Password}"));
            if (context.Request.Headers["Authorization"] != expected)
            {
                response.StatusCode = 401;
                response.AddHeader("WWW-Authenticate", "Basic realm=\"charts\"");
                return;
            }
        }

        var body = Find(path);
        if (body is null)
        {
            response.StatusCode = 404;
            return;
        }

        response.StatusCode = 200;
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
    }

    private byte[]? Find(string path)
    {
        lock (_gate)
        {
            var trimmed = path.TrimStart('/');
            if (trimmed.StartsWith("charts/", StringComparison.Ordinal))
            {
                trimmed = trimmed["charts/".Length..];
            }

            if (!path.StartsWith("/v2/", StringComparison.Ordinal))
            {
                return _files.GetValueOrDefault(trimmed);
            }

            // /v2/charts/<name>/tags/list | /manifests/<tag or digest> | /blobs/<digest>
            var parts = path["/v2/charts/".Length..].Split('/');
            if (parts.Length < 2 || !_manifests.TryGetValue(parts[0], out var tags))
            {
                return null;
            }

            return parts[1] switch
            {
                "tags" => Encoding.UTF8.GetBytes(new JsonObject { ["name"] = $"charts/{parts[0]}", ["tags"] = new JsonArray(tags.Keys.Select(t => (JsonNode)t).ToArray()) }.ToJsonString()),
                "manifests" when parts.Length == 3 && parts[2].StartsWith("sha256:", StringComparison.Ordinal) => tags.Values.FirstOrDefault(m => Digest(m) == parts[2]),
                "manifests" when parts.Length == 3 => tags.GetValueOrDefault(parts[2]),
                "blobs" when parts.Length == 3 => _blobs.GetValueOrDefault(parts[2]),
                _ => null,
            };
        }
    }

    private void Helm(params string[] arguments)
    {
        var start = new ProcessStartInfo(Tools.Helm) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var home in new[] { "HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME" })
        {
            start.Environment[home] = Path.Combine(_directory, "helm-home", home);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"helm {string.Join(' ', arguments)} failed: {error}{output.Result}");
        }
    }

    private static JsonObject Descriptor(string mediaType, byte[] content) => new()
    {
        ["mediaType"] = mediaType,
        ["digest"] = Digest(content),
        ["size"] = content.Length,
    };

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private static int NextPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
