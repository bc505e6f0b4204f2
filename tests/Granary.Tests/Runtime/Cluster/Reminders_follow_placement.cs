using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Granary.Contracts.Grains;
using Granary.Runtime;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;
using Granary.Testing;
using Granary.Testing.Runtime;

namespace Granary.Tests.Runtime.Cluster;

using Silo = Granary.Runtime.Silo;

/// <summary>
/// Reminder ticks are claimed and delivered by the silo that owns the grain in its membership view; they move with
/// placement when a silo dies or joins, and no due time of a reminder is delivered twice.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class Reminders_follow_placement : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly TickLedger _ledger = new();
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartAsync(3, c =>
        {
            var options = RuntimeTestBase.Options(new Probe(), c.ConnectionString, c.Schema, callTimeout: TimeSpan.FromSeconds(10), cluster: c.Cluster);
            options.Grains.Add<ITickLedgerGrain, TickLedgerGrain>(() => new TickLedgerGrain(_ledger));
            return options;
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Each_tick_is_claimed_and_delivered_by_the_silo_that_owns_the_grain()
    {
        // Counts the ticks each silo's reminder service delivered (the silo that claimed them), by silo name.
        var delivered = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "granary.reminder.ticks")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? silo = null, kind = null;
            foreach (var tag in tags)
            {
                (silo, kind) = tag.Key switch { "silo" => (tag.Value as string, kind), "kind" => (silo, tag.Value as string), _ => (silo, kind) };
            }

            if (kind == "tickledger" && silo is not null && silo.StartsWith(_cluster.Schema + "/", StringComparison.Ordinal))
            {
                delivered.AddOrUpdate(silo[(_cluster.Schema.Length + 1)..], value, (_, total) => total + value);
            }
        });
        listener.Start();
        var keys = await RegisterAsync("owned", 40);

        await Eventually.WaitUntilAsync(() => keys.All(k => _ledger.For(k).Count >= 3), Deadline, "three ticks for every grain");

        var view = _cluster.Live.First().ClusterView!;
        Assert.All(keys, key => Assert.All(_ledger.For(key), tick => Assert.Equal(RendezvousPlacement.Owner(Grain(key), view), tick.Host)));
        Assert.True(keys.Select(k => RendezvousPlacement.Owner(Grain(k), view)).Distinct().Count() == 3, "the grains spread over all three silos");

        // No tick was claimed by one silo and forwarded to another: each silo delivered exactly the ticks it hosted.
        await Eventually.WaitUntilAsync(
            () => _cluster.Live.All(s => delivered.GetValueOrDefault(s.Address!.Value.Endpoint) == _ledger.All.Count(t => t.Host == s.Address)),
            Deadline,
            "each silo's delivered ticks to match the ticks its grains received");
        AssertNoDuplicateTicks();
    }

    [Fact]
    public async Task Reminders_of_a_dead_silo_tick_on_the_survivors_without_a_lost_period()
    {
        var keys = await RegisterAsync("failover", 40);
        var victim = _cluster.Silos[1];
        var orphans = keys.Where(k => RendezvousPlacement.Owner(Grain(k), victim.ClusterView!) == victim.Address).ToList();
        Assert.NotEmpty(orphans);
        await Eventually.WaitUntilAsync(() => orphans.All(k => _ledger.For(k).Count >= 1), Deadline, "a tick for every grain of the victim");

        await _cluster.CrashAsync(victim);
        var lastBefore = orphans.ToDictionary(k => k, k => _ledger.For(k).Max(t => t.DueAt));
        await Eventually.WaitUntilAsync(
            () => orphans.All(k => _ledger.For(k).Any(t => t.DueAt > lastBefore[k] && t.Host != victim.Address)),
            Deadline,
            "a tick on a survivor for every grain of the dead silo");

        var survivorsView = _cluster.Live.First().ClusterView!;
        Assert.Equal(SiloStatus.Dead, survivorsView.StatusOf(victim.Address!.Value));
        Assert.All(orphans, key =>
        {
            // The first tick after the crash is the next period after the victim's last one: none was lost, the ones
            // that fell due while the victim was being declared dead are coalesced into it.
            var first = _ledger.For(key).Where(t => t.DueAt > lastBefore[key]).MinBy(t => t.DueAt)!;
            Assert.Equal(lastBefore[key] + Period, first.DueAt);
            Assert.Equal(RendezvousPlacement.Owner(Grain(key), survivorsView), first.Host);
        });
        AssertNoDuplicateTicks();
    }

    [Fact]
    public async Task Reminders_move_to_a_silo_that_joins()
    {
        var keys = await RegisterAsync("join", 60);
        await Eventually.WaitUntilAsync(() => keys.All(k => _ledger.For(k).Count >= 1), Deadline, "a tick for every grain");

        var newcomer = await _cluster.AddSiloAsync();
        await _cluster.WaitForViewAsync(v => v.ActiveSilos.Length == 4, "every silo to see four active silos");
        var view = newcomer.ClusterView!;
        var moved = keys.Where(k => RendezvousPlacement.Owner(Grain(k), view) == newcomer.Address).ToList();
        Assert.NotEmpty(moved);

        // Every live silo has read the four-silo view: from now on each tick is delivered by the grain's new owner.
        var settled = DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500);
        await Eventually.WaitUntilAsync(() => keys.All(k => _ledger.For(k).Count(t => t.DueAt > settled) >= 2), Deadline, "two ticks for every grain after the join");

        Assert.All(keys, key => Assert.All(_ledger.For(key).Where(t => t.DueAt > settled), tick => Assert.Equal(RendezvousPlacement.Owner(Grain(key), view), tick.Host)));
        Assert.All(moved, key => Assert.True(newcomer.IsActive(Grain(key)), $"grain {key} moved to the new silo"));
        AssertNoDuplicateTicks();
    }

    private async Task<List<string>> RegisterAsync(string prefix, int count)
    {
        var keys = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToList();
        var caller = _cluster.Silos[0];
        await Task.WhenAll(keys.Select(k => caller.GrainFactory.Get<ITickLedgerGrain>(k).SetAsync("tick", TimeSpan.FromMilliseconds(500), Period)));
        return keys;
    }

    private void AssertNoDuplicateTicks()
    {
        var duplicates = _ledger.All.GroupBy(t => (t.Key, t.Name, t.DueAt)).Where(g => g.Count() > 1).Select(g => $"{g.Key} by {string.Join(", ", g.Select(t => t.Host))}").ToList();
        Assert.True(duplicates.Count == 0, $"ticks delivered more than once: {string.Join("; ", duplicates)}");
    }

    private static GrainId Grain(string key) => new("tickledger", key);
}

/// <summary>Every reminder tick delivered in the cluster, with the silo that ran it.</summary>
public sealed class TickLedger
{
    private readonly ConcurrentQueue<Tick> _ticks = new();

    public IReadOnlyList<Tick> All => [.. _ticks];

    public IReadOnlyList<Tick> For(string key) => [.. _ticks.Where(t => t.Key == key)];

    public void Record(Tick tick) => _ticks.Enqueue(tick);

    public sealed record Tick(string Key, string Name, DateTimeOffset DueAt, SiloAddress? Host);
}

public interface ITickLedgerGrain : IGrain
{
    Task SetAsync(string name, TimeSpan due, TimeSpan period);
}

/// <summary>Records each reminder tick with the silo its activation runs on.</summary>
public sealed class TickLedgerGrain(TickLedger ledger) : Grain, ITickLedgerGrain, IRemindable
{
    public Task SetAsync(string name, TimeSpan due, TimeSpan period) => RegisterReminderAsync(name, due, period);

    public Task ReceiveReminderAsync(string reminderName, ReminderTick tick)
    {
        ledger.Record(new TickLedger.Tick(Key, reminderName, tick.DueAt, Runtime.Cluster?.Self));
        return Task.CompletedTask;
    }
}
