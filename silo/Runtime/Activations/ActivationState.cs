namespace Granary.Runtime.Activations;

/// <summary>Where an activation is in its life. Only forward moves happen.</summary>
internal enum ActivationState
{
    /// <summary>Created; its first turn activates it.</summary>
    Created,

    /// <summary>Loading state and running OnActivateAsync.</summary>
    Activating,

    /// <summary>Taking calls.</summary>
    Active,

    /// <summary>Running OnDeactivateAsync; new calls wait for a fresh activation.</summary>
    Deactivating,

    /// <summary>Gone from the directory.</summary>
    Deactivated,
}
