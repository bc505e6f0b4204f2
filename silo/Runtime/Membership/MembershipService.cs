using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Membership;

/// <summary>
/// This silo's side of the membership protocol. Every <see cref="ClusterOptions.HeartbeatInterval"/> it renews its
/// own lease, re-reads the table (publishing a new <see cref="View"/> when the version moved), and votes against
/// peers whose leases expired; the vote that reaches the quorum declares the peer dead.
/// </summary>
/// <remarks>
/// <para><b>Failure detection time.</b> A round also runs when a peer's lease is due to run out (on the database
/// clock, as read), so the first vote lands right at expiry rather than up to a heartbeat later; while a suspect
/// awaits its votes, rounds run five times a heartbeat, so the second voter and every silo's view follow within a
/// fraction of a heartbeat. A vote that loses a compare-and-swap race re-reads and votes again at once. So a dead
/// silo is declared about one lease after its last renewal, and the silos read it a fraction of a heartbeat later.
/// A healthy cluster runs no extra rounds.</para>
/// <para>
/// Quorum: a suspect is declared dead with 2 votes when at least 3 silos are alive, otherwise with 1 (a lone
/// survivor can still declare its only peer). "Alive" counts the silos whose leases are current plus the suspect:
/// every vote goes through the same database the leases do, so a current lease is exactly "still in the cluster".
/// A silo stops serving on its own when it reads itself dead or cannot renew its lease within
/// <see cref="ClusterOptions.SelfLeaseTimeout"/> (half the lease), so it has stopped before any peer can take its
/// grains; the fencing token and the event stream's expected version cover a process that was frozen meanwhile.
/// A vote carries the suspect's lease as read and is void if the suspect renewed since, so a silo whose lease is
/// current is never declared dead.</para>
/// </remarks>
internal sealed class MembershipService : IAsyncDisposable
{
    private const int MaxCasAttempts = 20;
    private const int SuspectRoundsPerHeartbeat = 5;
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MinimumRoundGap = TimeSpan.FromMilliseconds(10);

    private readonly MembershipTable _table;
    private readonly ClusterOptions _options;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource<SiloTermination> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _viewGate = new();
    private readonly Lock _refreshGate = new();
    private TaskCompletionSource<MembershipView>? _queuedRefresh;
    private Task _runningRefresh = Task.CompletedTask;
    private MembershipView _view = MembershipView.Empty;
    private long _lastRenewalStarted;
    private Task _loop = Task.CompletedTask;

    public MembershipService(MembershipTable table, ClusterOptions options, string name, ILogger logger)
    {
        _table = table;
        _options = options;
        _name = name;
        _logger = logger;
    }

    /// <summary>This silo's identity (known once <see cref="RegisterAsync"/> ran).</summary>
    public SiloAddress Self { get; private set; }

    /// <summary>The latest snapshot of the membership table.</summary>
    public MembershipView View => Volatile.Read(ref _view);

    /// <summary>Raised (off the heartbeat loop's thread of control, one at a time) with each newer view.</summary>
    public event Action<MembershipView>? ViewChanged;

    /// <summary>Completes when this silo must stop serving: declared dead, or its lease could not be renewed in time.</summary>
    public Task<SiloTermination> Terminated => _terminated.Task;

    /// <summary>Whether this silo has stopped serving.</summary>
    public bool IsTerminated => _terminated.Task.IsCompleted;

    /// <summary>Takes a new generation, inserts this silo's row as Joining, and starts heartbeating (a joining silo holds a lease too).</summary>
    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        Self = new SiloAddress(_options.Endpoint, await _table.NextGenerationAsync(cancellationToken));
        _lastRenewalStarted = Stopwatch.GetTimestamp();
        await ChangeAsync(view => _table.TryInsertAsync(view.Version, Self, _name, cancellationToken), "join", cancellationToken);
        _loop = Task.Run(() => HeartbeatAsync(_stopping.Token));
    }

    /// <summary>Moves Joining → Active: placement starts giving this silo grains.</summary>
    public async Task ActivateAsync(CancellationToken cancellationToken)
    {
        await SetStatusAsync(SiloStatus.Active, cancellationToken);
        _logger.LogInformation("Silo {Silo} is active in the cluster: {View}", Self, View);
    }

    /// <summary>Moves to ShuttingDown: peers stop placing grains here; the heartbeat goes on while grains are handed over.</summary>
    public Task BeginLeaveAsync(CancellationToken cancellationToken) => SetStatusAsync(SiloStatus.ShuttingDown, cancellationToken);

    /// <summary>Marks this silo Dead (it left) and stops the heartbeat.</summary>
    public async Task CompleteLeaveAsync(CancellationToken cancellationToken)
    {
        await StopLoopAsync();
        if (!IsTerminated)
        {
            await SetStatusAsync(SiloStatus.Dead, cancellationToken);
        }
    }

    /// <summary>
    /// Re-reads the table (and publishes the view if it moved). The answer is always read after the request; callers
    /// that ask while a read is in flight share the next one, so a burst of failed calls costs two reads, not one each.
    /// </summary>
    public Task<MembershipView> RefreshAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<MembershipView> refresh;
        Task? previous = null;
        lock (_refreshGate)
        {
            if (_queuedRefresh is null)
            {
                _queuedRefresh = new TaskCompletionSource<MembershipView>(TaskCreationOptions.RunContinuationsAsynchronously);
                previous = _runningRefresh;
            }

            refresh = _queuedRefresh;
        }

        if (previous is not null)
        {
            _ = ReadAfterAsync(previous, refresh);
        }

        return refresh.Task.WaitAsync(cancellationToken);
    }

    private async Task ReadAfterAsync(Task previous, TaskCompletionSource<MembershipView> refresh)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_refreshGate)
        {
            // From here on, new callers queue behind this read: it may have missed their change.
            _queuedRefresh = null;
            _runningRefresh = refresh.Task;
        }

        try
        {
            var view = await _table.ReadAsync(CancellationToken.None);
            Publish(view);
            refresh.SetResult(view);
        }
        catch (Exception exception)
        {
            refresh.SetException(exception);
        }
    }

    /// <summary>
    /// Stops the heartbeat loop and nothing else, as a process frozen by a debugger, a long GC pause or a network
    /// partition would: the silo keeps its activations but renews nothing and sees no newer view. For tests.
    /// </summary>
    internal Task FreezeAsync() => StopLoopAsync();

    private async Task SetStatusAsync(SiloStatus status, CancellationToken cancellationToken)
    {
        await ChangeAsync(
            view => view.Find(Self) is { } own && own.IsAlive
                ? _table.TryUpdateAsync(view.Version, Self, status, own.Suspicions, expectedHeartbeat: null, cancellationToken)
                : throw new InvalidOperationException($"Silo {Self} cannot become {status}: the membership table has it as {view.StatusOf(Self)}."),
            status.ToString(),
            cancellationToken);
    }

    /// <summary>Reads, tries one compare-and-swap change, and on a version conflict reads again and retries.</summary>
    private async Task ChangeAsync(Func<MembershipView, Task<bool>> change, string what, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var view = await _table.ReadAsync(cancellationToken);
            if (await change(view))
            {
                await RefreshAsync(cancellationToken);
                return;
            }

            if (attempt == MaxCasAttempts)
            {
                throw new InvalidOperationException($"Silo {Self} could not {what}: the membership table changed under it {MaxCasAttempts} times in a row.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
        }
    }

    private async Task HeartbeatAsync(CancellationToken stopping)
    {
        while (true)
        {
            var roundStarted = Stopwatch.GetTimestamp();
            var next = _options.HeartbeatInterval;
            try
            {
                await RenewAsync(stopping);
                if (IsTerminated)
                {
                    return;
                }

                var view = await RefreshAsync(stopping);
                if (view.StatusOf(Self) == SiloStatus.Dead)
                {
                    Terminate("the membership table has it as dead");
                    return;
                }

                view = await VoteAsync(view, stopping);
                if (EarlyRoundAfter(view) is { } early && Stopwatch.GetElapsedTime(roundStarted) + early < next)
                {
                    next = Stopwatch.GetElapsedTime(roundStarted) + early;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                _logger.LogWarning(exception, "Silo {Silo}: membership round failed; retrying at the next heartbeat", Self);
                _lastRoundFailure = exception.Message;
                CheckLease();
                if (IsTerminated)
                {
                    return;
                }
            }

            var wait = next - Stopwatch.GetElapsedTime(roundStarted);
            try
            {
                await Task.Delay(wait > MinimumRoundGap ? wait : MinimumRoundGap, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// How soon after reading <paramref name="view"/> a round is needed, if sooner than the next heartbeat: when a
    /// peer's lease runs out (that round votes at once instead of up to a heartbeat later), or a fraction of a
    /// heartbeat while a suspect awaits the votes that declare it dead (so this silo votes or reads the declaration
    /// soon). Null when every peer's lease is good for a while: a healthy cluster costs no extra rounds.
    /// </summary>
    private TimeSpan? EarlyRoundAfter(MembershipView view)
    {
        TimeSpan? early = null;
        foreach (var peer in view.Members.Where(m => m.IsAlive && m.Silo != Self))
        {
            var expiresIn = peer.HeartbeatAt + _options.LeaseTimeout - view.DatabaseTime;
            var at = expiresIn > TimeSpan.Zero ? expiresIn + ExpiryMargin : _options.HeartbeatInterval / SuspectRoundsPerHeartbeat;
            if (early is null || at < early)
            {
                early = at;
            }
        }

        return early;
    }

    private async Task RenewAsync(CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();

        // A renewal that takes longer than the time left on the lease is as good as a failed one.
        var left = _options.SelfLeaseTimeout - Stopwatch.GetElapsedTime(Volatile.Read(ref _lastRenewalStarted));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        SiloStatus? status;
        try
        {
            status = await _table.RenewLeaseAsync(Self, deadline.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            CheckLease();
            throw new TimeoutException($"Silo {Self}: lease renewal did not finish within the lease.");
        }

        if (status is null)
        {
            Terminate("the membership table has it as dead");
            return;
        }

        // The lease runs from when the renewal was sent, not from when its reply came back.
        Volatile.Write(ref _lastRenewalStarted, started);
    }

    // Why the last round failed (e.g. PostgreSQL unreachable), for the termination reason.
    private string? _lastRoundFailure;

    private void CheckLease()
    {
        var since = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastRenewalStarted));
        if (since >= _options.SelfLeaseTimeout)
        {
            var cause = Volatile.Read(ref _lastRoundFailure) is { } failure ? $"; last membership round failed: {failure}" : "";
            Terminate($"it could not renew its lease for {since.TotalSeconds:0.#} s (limit {_options.SelfLeaseTimeout.TotalSeconds:0.#} s){cause}");
        }
    }

    /// <summary>
    /// Votes against every peer whose lease expired; the vote that reaches the quorum declares it dead in the same
    /// compare-and-swap. A vote that loses the race (another change landed first) re-reads and tries again at once
    /// rather than a heartbeat later. Returns the latest view read.
    /// </summary>
    private async Task<MembershipView> VoteAsync(MembershipView view, CancellationToken stopping)
    {
        var voted = new HashSet<SiloAddress>();
        for (var attempt = 1; attempt <= MaxCasAttempts; attempt++)
        {
            var expiredBefore = view.DatabaseTime - _options.LeaseTimeout;
            var suspect = view.Members.FirstOrDefault(m => m.IsAlive && m.Silo != Self && m.HeartbeatAt < expiredBefore && !voted.Contains(m.Silo));
            if (suspect is null)
            {
                return view;
            }

            var current = view.Members.Count(m => m.IsAlive && m.HeartbeatAt >= expiredBefore);
            var votes = suspect.Suspicions.Where(v => v.At >= expiredBefore && v.Voter != Self.ToString()).ToList();
            var alreadyVoted = votes.Count < suspect.Suspicions.Count(v => v.At >= expiredBefore);
            votes.Add(new SuspicionVote(Self.ToString(), view.DatabaseTime));
            var alive = current + 1;
            var required = alive >= 3 ? 2 : 1;
            var status = votes.Count >= required ? SiloStatus.Dead : suspect.Status;
            if (alreadyVoted && status != SiloStatus.Dead)
            {
                // This silo's vote stands and is not enough alone: renewing it would only churn the table version.
                voted.Add(suspect.Silo);
                continue;
            }

            // The expected heartbeat makes the vote void if the suspect renewed since this view was read.
            if (await _table.TryUpdateAsync(view.Version, suspect.Silo, status, votes, suspect.HeartbeatAt, stopping))
            {
                voted.Add(suspect.Silo);
                _logger.LogWarning(
                    "Silo {Silo} voted {Suspect} suspect (lease {Age:0.##} s old; {Votes}/{Required} votes of {Alive} alive){Outcome}",
                    Self, suspect.Silo, (view.DatabaseTime - suspect.HeartbeatAt).TotalSeconds, votes.Count, required, alive, status == SiloStatus.Dead ? ": declared dead" : "");
            }
            else
            {
                _logger.LogDebug("Silo {Silo}: its vote against {Suspect} lost a race at v{Version}; re-reading", Self, suspect.Silo, view.Version);
            }

            view = await RefreshAsync(stopping);
        }

        return view;
    }

    private void Publish(MembershipView view)
    {
        Action<MembershipView>? changed = null;
        lock (_viewGate)
        {
            if (view.Version < _view.Version || view.Version == _view.Version && view.DatabaseTime <= _view.DatabaseTime)
            {
                return;
            }

            var moved = view.Version != _view.Version;
            var previous = _view;
            _view = view;
            if (moved)
            {
                changed = ViewChanged;
                LogStatusChanges(previous, view);
            }

            // Raised under the gate so subscribers see views in order.
            changed?.Invoke(view);
        }
    }

    /// <summary>Logs the silos whose status differs from the previous view (the failover timeline reads these).</summary>
    private void LogStatusChanges(MembershipView previous, MembershipView view)
    {
        var changes = view.Members.Where(m => previous.Find(m.Silo)?.Status != m.Status).Select(m => $"{m.Silo} {m.Status}").ToList();
        if (changes.Count > 0)
        {
            _logger.LogInformation("Silo {Silo} read membership v{Version}: {Changes}", Self, view.Version, string.Join(", ", changes));
        }
    }

    private void Terminate(string reason)
    {
        if (_terminated.TrySetResult(new SiloTermination(Self, reason)))
        {
            _logger.LogError("Silo {Silo} stops serving: {Reason}", Self, reason);
        }
    }

    private async Task StopLoopAsync()
    {
        await _stopping.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync();
        _stopping.Dispose();
    }
}
