using Granary.Contracts.Grains;
using Granary.Testing;
using Npgsql;

namespace Granary.Tests.Runtime;

public sealed class Timers_and_reminders : RuntimeTestBase
{
    [Fact]
    public async Task Timer_ticks_run_as_turns_and_never_overlap()
    {
        var ticking = Silo.Grains.Get<ITickingGrain>("tick-1");

        // Each tick works longer than the period; a ticking timer would pile ticks up, ours waits.
        await ticking.StartAsync(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(30));
        await Eventually.WaitUntilAsync(() => Volatile.Read(ref Probe.TimerTicks) >= 5, Deadline, "five timer ticks");
        await ticking.StopAsync();

        Assert.Equal(1, Probe.TimerMaxConcurrent);
    }

    [Fact]
    public async Task Timers_stop_when_the_grain_deactivates()
    {
        var ticking = Silo.Grains.Get<ITickingGrain>("tick-2");
        await ticking.StartAsync(TimeSpan.FromMilliseconds(10), TimeSpan.Zero);
        await Eventually.WaitUntilAsync(() => Volatile.Read(ref Probe.TimerTicks) >= 2, Deadline, "two timer ticks");

        await Silo.Silo.DeactivateAsync(new GrainId("ticking", "tick-2"));
        var ticksAtDeactivation = Volatile.Read(ref Probe.TimerTicks);

        // Another grain's timer proves time passes; the deactivated grain's count must not move.
        Probe.TimerTicks = 0;
        await Silo.Grains.Get<ITickingGrain>("tick-3").StartAsync(TimeSpan.FromMilliseconds(10), TimeSpan.Zero);
        await Eventually.WaitUntilAsync(() => Volatile.Read(ref Probe.TimerTicks) >= 5, Deadline, "the other grain's ticks");
        Assert.False(Silo.Silo.IsActive(new GrainId("ticking", "tick-2")));
        Assert.True(ticksAtDeactivation >= 2);
    }

    [Fact]
    public async Task A_reminder_fires_after_the_silo_restarts()
    {
        await Silo.Grains.Get<IAlarmGrain>("alarm-1").SetAsync("wake", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await Silo.RestartAsync();
        Assert.False(Silo.Silo.IsActive(new GrainId("alarm", "alarm-1")));

        await Eventually.WaitUntilAsync(() => Probe.Reminders.Contains(("alarm-1", "wake")), Deadline, "the reminder to wake the grain after the restart");
        Assert.True(Silo.Silo.IsActive(new GrainId("alarm", "alarm-1")));

        await Silo.Grains.Get<IAlarmGrain>("alarm-1").ClearAsync("wake");
        Assert.Equal(0L, await CountRemindersAsync());
    }

    private async Task<long> CountRemindersAsync()
    {
        await using var connection = new NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Silo.Schema}.reminders", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Reminders_shorter_than_a_second_are_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Silo.Grains.Get<IAlarmGrain>("alarm-2").SetAsync("fast", TimeSpan.Zero, TimeSpan.FromMilliseconds(10)));
        Assert.Contains("use a timer", error.Message);
    }
}
