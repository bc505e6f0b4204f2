using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Grains.Kubernetes.Discovery;
using Granary.Grains.Kubernetes.Objects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Grains.Kubernetes.Client;

/// <summary>
/// A small dynamic Kubernetes client: objects are JSON nodes, kinds are resolved through discovery. One instance per
/// cluster (and identity) keeps HTTP/2 connections open, and enforces the cluster's QPS, burst and concurrency limits.
/// Throttling (429 with Retry-After), server timeouts and dropped connections are retried; every other failure becomes
/// a typed <see cref="KubernetesException"/> that keeps the server's message.
/// </summary>
public sealed class KubernetesClient : IDisposable
{
    private const string ApplyPatch = "application/apply-patch+yaml";
    private readonly HttpClient http;
    private readonly RequestThrottle throttle;
    private readonly bool ownsThrottle;
    private readonly ILogger logger;
    private X509Certificate2? clientCertificate;

    /// <summary>A client for <paramref name="connection"/> with <paramref name="options"/> (defaults when null).</summary>
    public KubernetesClient(ClusterConnection connection, KubernetesClientOptions? options = null, ILogger<KubernetesClient>? logger = null)
    {
        Connection = connection;
        Options = options ?? new KubernetesClientOptions();
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        var handler = new SocketsHttpHandler
        {
            // The API server allows 250 (v1.20: 1000) streams per HTTP/2 connection; more connections only when those fill up.
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = Options.ConnectTimeout,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = ValidateServerCertificate,
                // Called at each handshake, so a certificate an exec plugin renewed is presented on the next connection.
                LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate!,
                TargetHost = connection.TlsServerName,
            },
        };
        http = new HttpClient(Options.WrapHandler?.Invoke(handler) ?? handler)
        {
            BaseAddress = connection.Server,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        ownsThrottle = Options.Throttle is null;
        throttle = Options.Throttle ?? new RequestThrottle(Options.QueriesPerSecond, Math.Max(1, Options.Burst), Math.Max(1, Options.MaxConcurrency));
        Mapper = Options.Discovery ?? new RestMapper((path, accept, ct) => SendAsync(HttpMethod.Get, path, null, null, notFoundIsNull: true, ct, accept));
    }

    /// <summary>Where and as whom this client connects.</summary>
    public ClusterConnection Connection { get; }

    /// <summary>The limits and field manager this client uses.</summary>
    public KubernetesClientOptions Options { get; }

    /// <summary>The kind-to-resource mapping from this cluster's discovery.</summary>
    public RestMapper Mapper { get; }

    /// <summary>The server's <c>/version</c> document (gitVersion, major, minor).</summary>
    public async Task<JsonObject> GetServerVersionAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, "/version", null, null, notFoundIsNull: false, cancellationToken))!;

    /// <summary>
    /// The text of a health endpoint (<c>/readyz</c>, <c>/livez</c>), normally <c>ok</c>; a failing check answers 500, which
    /// throws a <see cref="KubernetesStatusException"/> listing the checks.
    /// </summary>
    public async Task<string> GetHealthAsync(string endpoint = "/readyz", CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString((await SendRawAsync(HttpMethod.Get, endpoint, null, null, notFoundIsNull: false, cancellationToken, "text/plain"))!);

    /// <summary>Every group version the server serves (<c>v1</c>, <c>apps/v1</c>, …), from <c>/api</c> and <c>/apis</c>, as Helm's capabilities list them.</summary>
    public async Task<IReadOnlyList<string>> GetApiVersionsAsync(CancellationToken cancellationToken = default)
    {
        var core = await SendAsync(HttpMethod.Get, "/api", null, null, notFoundIsNull: false, cancellationToken, "application/json");
        var groups = await SendAsync(HttpMethod.Get, "/apis", null, null, notFoundIsNull: false, cancellationToken, "application/json");
        var versions = (core?["versions"] as JsonArray ?? []).Select(v => v?.GetValue<string>()).OfType<string>();
        var grouped = (groups?["groups"] as JsonArray ?? []).SelectMany(g => g?["versions"] as JsonArray ?? []).Select(v => v?["groupVersion"]?.GetValue<string>()).OfType<string>();
        return versions.Concat(grouped).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Reads one object; throws <see cref="NotFoundException"/> when it does not exist.</summary>
    public async Task<JsonObject> GetAsync(ObjectReference reference, CancellationToken cancellationToken = default)
    {
        var (mapping, @namespace) = await ResolveAsync(reference, cancellationToken);
        return (await SendAsync(HttpMethod.Get, mapping.ObjectPath(@namespace, reference.Name), null, reference, notFoundIsNull: false, cancellationToken))!;
    }

    /// <summary>Reads one object, or null when it does not exist.</summary>
    public async Task<JsonObject?> TryGetAsync(ObjectReference reference, CancellationToken cancellationToken = default)
    {
        var (mapping, @namespace) = await ResolveAsync(reference, cancellationToken);
        return await SendAsync(HttpMethod.Get, mapping.ObjectPath(@namespace, reference.Name), null, reference, notFoundIsNull: true, cancellationToken);
    }

    /// <summary>The object's status, read through its <c>/status</c> subresource where the kind has one.</summary>
    public async Task<JsonNode?> GetStatusAsync(ObjectReference reference, CancellationToken cancellationToken = default)
    {
        var (mapping, @namespace) = await ResolveAsync(reference, cancellationToken);
        var withStatus = await SendAsync(HttpMethod.Get, mapping.ObjectPath(@namespace, reference.Name) + "/status", null, reference, notFoundIsNull: true, cancellationToken)
            ?? await GetAsync(reference, cancellationToken); // kinds without a status subresource (ConfigMap) answer 404 there
        return withStatus["status"];
    }

    /// <summary>Lists one page of <paramref name="kind"/> in <paramref name="namespace"/> (all namespaces when null or empty).</summary>
    public async Task<ObjectList> ListAsync(string apiVersion, string kind, string? @namespace, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var mapping = await Mapper.MapAsync(apiVersion, kind, cancellationToken);
        var query = new StringBuilder(mapping.CollectionPath(@namespace)).Append("?limit=").Append(options.PageSize);
        Append(query, "labelSelector", options.LabelSelector);
        Append(query, "fieldSelector", options.FieldSelector);
        Append(query, "continue", options.Continue);
        var list = (await SendAsync(HttpMethod.Get, query.ToString(), null, null, notFoundIsNull: false, cancellationToken))!;
        var items = new List<JsonObject>();
        foreach (var item in (list["items"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            // List items carry no apiVersion and kind; fill them in so items read like single objects.
            item["apiVersion"] = mapping.ApiVersion;
            item["kind"] = mapping.Kind;
            items.Add(item);
        }

        var next = ObjectMetadata.String(list["metadata"]?["continue"]);
        return new ObjectList(items, string.IsNullOrEmpty(next) ? null : next, ObjectMetadata.String(list["metadata"]?["resourceVersion"]));
    }

    /// <summary>Lists every page, following <c>continue</c> tokens; restarts once if the token expired (410).</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAllAsync(string apiVersion, string kind, string? @namespace, ListOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        for (var attempt = 1; ; attempt++)
        {
            var all = new List<JsonObject>();
            var page = options with { Continue = null };
            try
            {
                while (true)
                {
                    var list = await ListAsync(apiVersion, kind, @namespace, page, cancellationToken);
                    all.AddRange(list.Items);
                    if (list.Continue is null)
                    {
                        return all;
                    }

                    page = page with { Continue = list.Continue };
                }
            }
            catch (KubernetesStatusException e) when (e.StatusCode == HttpStatusCode.Gone && attempt == 1)
            {
                // The continue token expired (compaction); a fresh list is consistent again.
            }
        }
    }

    /// <summary>
    /// Server-side apply of <paramref name="manifest"/> as field manager <see cref="KubernetesClientOptions.FieldManager"/>;
    /// returns the object as the server stored it (or would, with <paramref name="dryRun"/>). Namespaced objects without
    /// a namespace go to the context's namespace; ports without protocol get TCP (see <see cref="ProtocolDefaults"/>).
    /// </summary>
    public async Task<JsonObject> ApplyAsync(JsonObject manifest, bool force = true, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var reference = ObjectReference.Of(manifest);
        var (mapping, @namespace) = await ResolveAsync(reference, cancellationToken);
        var body = (JsonObject)manifest.DeepClone();
        if (body["metadata"] is JsonObject metadata)
        {
            if (mapping.Namespaced)
            {
                metadata["namespace"] = @namespace;
            }
            else
            {
                metadata.Remove("namespace");
            }
        }

        ProtocolDefaults.Apply(body);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        var path = $"{mapping.ObjectPath(@namespace, reference.Name)}?fieldManager={Uri.EscapeDataString(Options.FieldManager)}{(force ? "&force=true" : "")}{(dryRun ? "&dryRun=All" : "")}";
        return (await SendAsync(HttpMethod.Patch, path, () => Content(bytes, ApplyPatch), reference with { Namespace = @namespace }, notFoundIsNull: false, cancellationToken))!;
    }

    /// <summary>Deletes an object; false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(ObjectReference reference, PropagationPolicy propagation = PropagationPolicy.Background, CancellationToken cancellationToken = default)
    {
        var (mapping, @namespace) = await ResolveAsync(reference, cancellationToken);
        var options = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "DeleteOptions",
            ["propagationPolicy"] = propagation.ToString(),
        });
        var result = await SendAsync(HttpMethod.Delete, mapping.ObjectPath(@namespace, reference.Name), () => Content(options, "application/json"),
            reference with { Namespace = @namespace }, notFoundIsNull: true, cancellationToken);
        return result is not null;
    }

    /// <summary>The mapping of <paramref name="reference"/>'s kind and the namespace to use (the context's when a namespaced object has none).</summary>
    public async Task<(ResourceMapping Mapping, string Namespace)> ResolveAsync(ObjectReference reference, CancellationToken cancellationToken)
    {
        var mapping = await Mapper.MapAsync(reference.ApiVersion, reference.Kind, cancellationToken, reference);
        var @namespace = !mapping.Namespaced ? "" : reference.Namespace.Length > 0 ? reference.Namespace : Connection.Namespace ?? "default";
        return (mapping, @namespace);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        http.Dispose();
        if (ownsThrottle)
        {
            throttle.Dispose();
        }
    }

    private async Task<JsonObject?> SendAsync(HttpMethod method, string pathAndQuery, Func<HttpContent>? content, ObjectReference? obj, bool notFoundIsNull,
        CancellationToken cancellationToken, string? accept = null) =>
        await SendRawAsync(method, pathAndQuery, content, obj, notFoundIsNull, cancellationToken, accept) is { } body
            ? body.Length == 0 ? new JsonObject() : JsonNode.Parse(body) as JsonObject ?? new JsonObject()
            : null;

    private async Task<byte[]?> SendRawAsync(HttpMethod method, string pathAndQuery, Func<HttpContent>? content, ObjectReference? obj, bool notFoundIsNull,
        CancellationToken cancellationToken, string? accept = null)
    {
        var request = $"{method} {pathAndQuery}";
        var reauthenticated = false;
        for (var attempt = 1; ; attempt++)
        {
            using var lease = await throttle.AcquireRateAsync(cancellationToken);
            HttpStatusCode status;
            byte[] body;
            TimeSpan? retryAfter;
            await throttle.EnterAsync(cancellationToken);
            try
            {
                using var message = await RequestAsync(method, pathAndQuery, content, accept, cancellationToken);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(Options.RequestTimeout);
                try
                {
                    using var response = await http.SendAsync(message, timeout.Token);
                    status = response.StatusCode;
                    body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                    retryAfter = RetryAfter(response);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new ClusterUnreachableException(
                        $"The API server {Connection.Server} ({Connection.Source}) did not answer {request} within {Options.RequestTimeout.TotalSeconds:0} s.", e);
                }
                catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
                {
                    throw new ClusterUnreachableException(
                        $"TLS with the API server {Connection.Server} ({Connection.Source}) failed: {e.InnerException.Message}. Check certificate-authority(-data), tls-server-name and the client certificate.", e);
                }
                catch (HttpRequestException e) when (attempt <= Options.MaxRetries && !cancellationToken.IsCancellationRequested)
                {
                    logger.LogDebug("{Request} to {Server} failed ({Error}); retry {Attempt}", request, Connection.Server, e.Message, attempt);
                    await Task.Delay(Backoff(attempt), cancellationToken);
                    continue;
                }
                catch (HttpRequestException e)
                {
                    var why = e.InnerException is SocketException socket ? socket.Message : e.Message;
                    throw new ClusterUnreachableException(
                        $"Cannot reach the API server {Connection.Server} ({Connection.Source}) for {request} after {attempt} attempts: {why}. Check that the cluster is running and that the kubeconfig's server address is right.", e);
                }
            }
            finally
            {
                throttle.Exit();
            }

            if ((int)status is >= 200 and < 300)
            {
                return body;
            }

            if (status == HttpStatusCode.NotFound && notFoundIsNull)
            {
                return null;
            }

            if (status == HttpStatusCode.Unauthorized && !reauthenticated)
            {
                // Exec plugin and projected tokens expire; fetch fresh credentials once before giving up.
                reauthenticated = true;
                Connection.Credentials.Invalidate();
                continue;
            }

            var retryable = status is HttpStatusCode.TooManyRequests or HttpStatusCode.GatewayTimeout
                || (status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.InternalServerError && retryAfter is not null);
            if (retryable && attempt <= Options.MaxRetries)
            {
                var wait = retryAfter is { } after ? (after > Options.MaxRetryAfter ? Options.MaxRetryAfter : after) : Backoff(attempt);
                logger.LogDebug("{Request} answered {Status}; retrying in {Wait} (attempt {Attempt})", request, (int)status, wait, attempt);
                await Task.Delay(wait, cancellationToken);
                continue;
            }

            throw KubernetesStatusException.From(status, Encoding.UTF8.GetString(body), request, obj, Connection.Source, retryAfter, attempt);
        }
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string pathAndQuery, Func<HttpContent>? content, string? accept, CancellationToken cancellationToken)
    {
        var credentials = await Connection.Credentials.GetAsync(cancellationToken);
        if (credentials.ClientCertificate is { } certificate)
        {
            clientCertificate = certificate;
        }

        var message = new HttpRequestMessage(method, pathAndQuery) { Content = content?.Invoke() };
        if (credentials.BearerToken is { } token)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (Connection.ImpersonateUser is { } user)
        {
            message.Headers.Add("Impersonate-User", user);
            foreach (var group in Connection.ImpersonateGroups)
            {
                message.Headers.Add("Impersonate-Group", group);
            }
        }

        message.Headers.TryAddWithoutValidation("Accept", accept ?? "application/json");
        message.Headers.UserAgent.Add(new ProductInfoHeaderValue("granary", "1"));
        return message;
    }

    private bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (Connection.InsecureSkipTlsVerify)
        {
            return true;
        }

        if (Connection.CertificateAuthorities is not { } authorities || errors == SslPolicyErrors.None)
        {
            return errors == SslPolicyErrors.None;
        }

        // Only an untrusted root is forgivable, and only if the kubeconfig's CA vouches for the certificate.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, attempt - 1), 2000) * (0.8 + Random.Shared.NextDouble() * 0.4));

    private static ByteArrayContent Content(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static void Append(StringBuilder query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
    }
}
