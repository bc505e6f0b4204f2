using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Grains.Kubernetes.Client;
using Granary.Runtime;
using Granary.Silo.Api;
using Granary.Silo.Audit;
using Granary.Silo.Configuration;
using Granary.Silo.Health;
using Granary.Silo.Logging;
using Granary.Silo.Metrics;
using Granary.Silo.ReadModel;
using Granary.Silo.Resources;
using Granary.Silo.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Silo.Wiring;

/// <summary>
/// A running silo host: the silo with its resource grains wired to the management cluster, the resource list
/// projection, telemetry, and the HTTP API (Kestrel) with probes and metrics. What <c>granary run</c> starts.
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Runtime.Silo _silo;
    private readonly ResourceProjection _projection;
    private readonly List<IDisposable> _disposables;
    private readonly KubernetesClient? _ownedCluster;
    private volatile bool _started;
    private TimeSpan _shutdownGrace = TimeSpan.FromSeconds(25);
    private int _stopped;

    private SiloHost(WebApplication app, Runtime.Silo silo, ResourceProjection projection, List<IDisposable> disposables, KubernetesClient? ownedCluster, ResourceKinds kinds, Uri address, ILogger logger)
    {
        _app = app;
        _silo = silo;
        _projection = projection;
        _disposables = disposables;
        _ownedCluster = ownedCluster;
        Kinds = kinds;
        Address = address;
        Logger = logger;
    }

    /// <summary>Where the HTTP API listens (with the port actually bound).</summary>
    public Uri Address { get; }

    /// <summary>The silo hosting the grains.</summary>
    public Runtime.Silo Silo => _silo;

    /// <summary>The resource kinds the API serves.</summary>
    public ResourceKinds Kinds { get; }

    /// <summary>The host's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>
    /// Starts everything. <paramref name="cluster"/> replaces the configured management cluster (the caller keeps
    /// owning it); otherwise the kubeconfig or in-cluster ServiceAccount is used.
    /// </summary>
    public static async Task<SiloHost> StartAsync(HostConfiguration configuration, KubernetesClient? cluster = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "granary", Args = [] });
        HostLogging.Configure(builder.Logging, configuration.LogFormat);
        builder.WebHost.UseUrls(configuration.Listen);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });
        var app = builder.Build();
        var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggerFactory.CreateLogger("Granary.Silo");
        var disposables = new List<IDisposable>();
        KubernetesClient? ownedCluster = null;
        Runtime.Silo? silo = null;
        try
        {
            cluster ??= ownedCluster = ManagementCluster.Connect(configuration, loggerFactory);
            var options = new SiloOptions
            {
                ConnectionString = configuration.Postgres,
                Schema = configuration.Schema,
                Name = configuration.SiloName,
                LoggerFactory = loggerFactory,
                ReminderPollInterval = configuration.ReminderPollInterval,
                Cluster = configuration.Cluster is { } clustering
                    ? new ClusterOptions
                    {
                        Endpoint = clustering.Endpoint,
                        Transport = new Runtime.Transport.Http.HttpSiloTransport(clustering.Listen),
                        HeartbeatInterval = clustering.Heartbeat,
                        LeaseTimeout = clustering.LeaseTimeout,
                    }
                    : null,
            };
            Runtime.Silo? started = null;
            var kinds = GrainCatalog.Register(options, new GrainServices(cluster, configuration.DataDirectory, configuration.KubectlPath,
                () => started?.GrainFactory ?? throw new InvalidOperationException("The silo has not started yet.")));

            var metrics = new HostMetrics();
            disposables.Add(metrics);
            var exporter = new PrometheusExporter(meter => meter.Name is "Granary.Runtime" or "Granary.Build" || ReferenceEquals(meter, metrics.Meter), configuration.SiloName);
            disposables.Add(exporter);
            if (OtlpExport.Start(configuration, metrics) is { } otlp)
            {
                disposables.Add(otlp);
            }

            silo = started = await Runtime.Silo.StartAsync(options, cancellationToken);
            disposables.Add(new ReconcileObserver(kinds, metrics, loggerFactory.CreateLogger("Granary.Reconcile"), silo.IsActive));
            await VerifyAsync(silo, logger, cancellationToken);
            var table = new ResourceTable(silo.EventStore.DataSource, configuration.Schema);
            await table.MigrateAsync(cancellationToken);
            var projection = new ResourceProjection(silo.EventStore, table, kinds, metrics, logger);
            await projection.StartAsync(configuration.ProjectionPollInterval, cancellationToken);

            SiloHost? host = null;
            var json = app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var services = new ApiServices(silo.GrainFactory, silo.EventStore, kinds, table, projection, new ObjectTrace(silo.EventStore, table, kinds), logger);
            var authorization = new TokenAuthorization(configuration.Tokens);
            app.Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                catch (Exception exception) when (exception is not OperationCanceledException && !context.Response.HasStarted)
                {
                    logger.LogError(exception, "API {Method} {Path} failed", context.Request.Method, context.Request.Path);
                    await ApiError.Result(StatusCodes.Status500InternalServerError, "InternalError", $"{exception.GetType().Name}: {exception.Message}").ExecuteAsync(context);
                }
            });
            var api = app.MapGroup("/api/v1");
            ResourceEndpoints.Map(api, services, authorization);
            AuditEndpoints.Map(api, services, authorization, json);
            ClusterEndpoints.Map(api, silo, authorization);
            HealthEndpoints.Map(app, silo.EventStore.DataSource, () => host?._started == true);
            MetricsEndpoint.Map(app, exporter, table);
            Webhooks.WebhookEndpoints.Map(app, configuration.Receivers, silo.GrainFactory, loggerFactory.CreateLogger("Granary.Webhooks"));

            await app.StartAsync(cancellationToken);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            host = new SiloHost(app, silo, projection, disposables, ownedCluster, kinds, address, logger) { _started = true, _shutdownGrace = configuration.ShutdownGrace };
            if (configuration.Tokens.Count == 0)
            {
                logger.LogWarning("No API tokens are configured: /api/v1 answers 401 to every request; add tokens (name, role, valueFrom) to the config file");
            }

            logger.LogInformation("Silo {Silo} serving {Kinds} on {Address} (schema {Schema}, management cluster {Cluster}, API tokens {Tokens})",
                configuration.SiloName, kinds.Names, address, configuration.Schema, cluster.Connection.Server, string.Join(", ", configuration.Tokens.Select(t => t.ToString())));
            if (silo.Address is { } member)
            {
                logger.LogInformation("Silo {Silo} joined the cluster as {Member} (silo-to-silo listener {Listen}, view {View})",
                    configuration.SiloName, member, configuration.Cluster!.Listen, silo.ClusterView);
            }
            return host;
        }
        catch
        {
            if (silo is not null)
            {
                await silo.StopAsync(CancellationToken.None);
            }

            disposables.ForEach(d => d.Dispose());
            ownedCluster?.Dispose();
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Checks every stream's hash chain at startup and logs the broken ones (the silo still starts: the log is evidence, not a gate).</summary>
    private static async Task VerifyAsync(Runtime.Silo silo, ILogger logger, CancellationToken cancellationToken)
    {
        var streams = await silo.EventStore.VerifyAllAsync(cancellationToken);
        var broken = streams.Where(s => !s.IsIntact).ToList();
        logger.LogInformation("Event store verified: {Streams} streams, {Broken} with a broken hash chain", streams.Count, broken.Count);
        foreach (var stream in broken)
        {
            logger.LogError("Hash chain broken: {Reason}", stream.Reason);
        }
    }

    /// <summary>
    /// Stops serving, stops the projection, deactivates every grain and closes the store. A clustered silo leaves
    /// gracefully (ShuttingDown, in-flight turns finish, grains are handed over, Dead) within the shutdown grace period.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _started = false;
        Logger.LogInformation("Silo {Silo} stopping: deactivating grains", _silo.Options.Name);
        using var grace = new CancellationTokenSource(_shutdownGrace);

        // The API stops taking requests at once, but the silo leaves the cluster at the same time rather than after the
        // API drained: a request waiting on a busy grain (up to the call timeout) must not spend the grace the grain
        // handover needs. Requests still open once the silo has left can only fail, so they are closed then.
        using var requests = CancellationTokenSource.CreateLinkedTokenSource(grace.Token);
        var api = _app.StopAsync(requests.Token);
        await _projection.DisposeAsync();
        await _silo.StopAsync(grace.Token);
        await requests.CancelAsync();
        await api;
        _disposables.ForEach(d => d.Dispose());
        _ownedCluster?.Dispose();
        Logger.LogInformation("Silo {Silo} stopped", _silo.Options.Name);
        await _app.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();
}
