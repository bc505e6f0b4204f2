namespace Granary.Contracts.Events;

/// <summary>Someone suspended a resource: it stops reconciling until resumed.</summary>
[EventType("resource.suspended")]
public sealed record Suspended(string? Reason);

/// <summary>Someone resumed a suspended resource.</summary>
[EventType("resource.resumed")]
public sealed record Resumed;

/// <summary>Someone asked for a reconcile now (recorded with the actor).</summary>
[EventType("resource.reconcile-requested")]
public sealed record ReconcileRequested(bool WithSource);

/// <summary>The resource was deleted; its stream ends here.</summary>
[EventType("resource.deleted")]
public sealed record Deleted;
