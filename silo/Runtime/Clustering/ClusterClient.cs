using System.Collections.Concurrent;
using System.Diagnostics;
using Granary.Contracts.Grains;
using Granary.Runtime.Calls;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;
using Granary.Runtime.Transport;
using Granary.Runtime.Transport.Http;
using Npgsql;

namespace Granary.Runtime.Clustering;

/// <summary>What a <see cref="ClusterClient"/> needs: the cluster's database and schema.</summary>
public sealed class ClusterClientOptions
{
    /// <summary>The Npgsql connection string of the database the silos share.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The schema the silos use.</summary>
    public string Schema { get; init; } = "granary";

    /// <summary>How calls reach the silos; HTTP/2 call streams unless a test gives another.</summary>
    public ISiloTransport? Transport { get; init; }

    /// <summary>A call's deadline, unless the caller's context has an earlier one.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the membership view is re-read (it is also re-read when a silo refuses a call).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Calls grains from outside the cluster — another service, a job, a CLI — with nothing but the connection string:
/// it reads the membership table, computes each grain's owner exactly as the silos do (rendezvous hashing over the
/// Active silos), and sends the call to that silo over the silo transport. It hosts no grains and never appears in
/// the membership table.
/// </summary>
/// <remarks>
/// The call context travels as it does between silos (the ambient <see cref="GrainCallContext"/>'s correlation and
/// actor, the deadline). A silo that is not the owner in its own view forwards the call. A call refused as not
/// delivered (the silo left, or its endpoint is closed) is sent again after re-reading the view, while the fresh view
/// places the grain elsewhere; nothing else is retried — a timed-out call's outcome is unknown.
/// </remarks>
public sealed class ClusterClient : IGrainFactory, IAsyncDisposable, IGrainCallDispatcher
{
    private const int MaxAttempts = 3;

    private readonly ClusterClientOptions _options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly MembershipTable _membership;
    private readonly ISiloTransport _transport;
    private readonly ConcurrentDictionary<Type, GrainInterface> _interfaces = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private MembershipView _view;
    private Task _refresh = Task.CompletedTask;

    private ClusterClient(ClusterClientOptions options, NpgsqlDataSource dataSource, MembershipView view)
    {
        _options = options;
        _dataSource = dataSource;
        _membership = new MembershipTable(dataSource, options.Schema);
        _transport = options.Transport ?? new HttpSiloTransport();
        _view = view;
    }

    /// <summary>The membership view calls are placed by.</summary>
    public MembershipView View => Volatile.Read(ref _view);

    /// <summary>Reads the membership table and starts re-reading it in the background.</summary>
    public static async Task<ClusterClient> ConnectAsync(ClusterClientOptions options, CancellationToken cancellationToken = default)
    {
        var dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        try
        {
            var view = await new MembershipTable(dataSource, options.Schema).ReadAsync(cancellationToken);
            var client = new ClusterClient(options, dataSource, view);
            client._refresh = client.RefreshPeriodicallyAsync(client._stopping.Token);
            return client;
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public TGrainInterface Get<TGrainInterface>(string key) where TGrainInterface : IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var grainInterface = Interface(typeof(TGrainInterface));
        return (TGrainInterface)GrainProxy.Create(grainInterface, new GrainId(grainInterface.Kind, key), this);
    }

    /// <inheritdoc />
    public TGrainInterface Get<TGrainInterface>(GrainId id) where TGrainInterface : IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(id.Key);
        return (TGrainInterface)GrainProxy.Create(Interface(typeof(TGrainInterface)), id, this);
    }

    private GrainInterface Interface(Type type) => _interfaces.GetOrAdd(type, GrainInterface.Create);

    async Task<object?> IGrainCallDispatcher.CallAsync(GrainId target, GrainMethod method, object?[] arguments)
    {
        var caller = GrainCallContext.Current;
        var timeout = caller is not null && caller.Deadline != long.MaxValue
            ? Min(_options.CallTimeout, Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), caller.Deadline))
            : _options.CallTimeout;
        var callerToken = method.CancellationTokenIndex >= 0 && arguments[method.CancellationTokenIndex] is CancellationToken token ? token : CancellationToken.None;
        if (method.CancellationTokenIndex >= 0)
        {
            // A token cannot cross to a silo; the silo puts its own (cancelled when this call is) in the slot.
            arguments = (object?[])arguments.Clone();
            arguments[method.CancellationTokenIndex] = null;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        deadline.CancelAfter(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            var view = View;
            var owner = RendezvousPlacement.Owner(target, view)
                ?? throw new SiloUnavailableException($"No silo is Active in membership view {view} of schema {_options.Schema}; call {method.Name} on grain {target} was not delivered.");
            var headers = new CallHeaders(caller?.CorrelationId, caller?.MessageId, caller?.Actor, null, null, timeout - Stopwatch.GetElapsedTime(started), []);
            try
            {
                return await _transport.SendAsync(owner, new SiloRequest(target, method.Method, arguments, headers, 0, false), deadline.Token);
            }
            catch (SiloUnavailableException) when (attempt < MaxAttempts && !deadline.IsCancellationRequested)
            {
                // It certainly did not run: re-read the view, and send again only if the grain has moved.
                if (RendezvousPlacement.Owner(target, await RefreshAsync(deadline.Token)) == owner)
                {
                    throw;
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !callerToken.IsCancellationRequested)
            {
                throw new GrainCallTimeoutException(target, method.Name, timeout);
            }
        }
    }

    private async Task<MembershipView> RefreshAsync(CancellationToken cancellationToken)
    {
        var before = View;
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            // Callers refused together share one read.
            if (!ReferenceEquals(before, View))
            {
                return View;
            }

            var view = await _membership.ReadAsync(cancellationToken);
            Volatile.Write(ref _view, view);
            return view;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task RefreshPeriodicallyAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    await RefreshAsync(stopping);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The view stays as it was; calls still go out by it, and the next tick reads again.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _refresh;
        await _transport.DisposeAsync();
        await _dataSource.DisposeAsync();
        _stopping.Dispose();
    }
}
