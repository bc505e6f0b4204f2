namespace Granary.Contracts.Grains;

/// <summary>A grain that receives durable reminders; they survive deactivation and process restarts.</summary>
public interface IRemindable
{
    /// <summary>Delivers a reminder tick as a turn of the grain.</summary>
    Task ReceiveReminderAsync(string reminderName, ReminderTick tick);
}

/// <summary>One delivery of a reminder: when it was due and its period.</summary>
public sealed record ReminderTick(DateTimeOffset DueAt, TimeSpan Period);
