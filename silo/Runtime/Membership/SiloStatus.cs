namespace Granary.Runtime.Membership;

/// <summary>Where a silo is in its life in the membership table. Moves only forward; <see cref="Dead"/> is final.</summary>
public enum SiloStatus
{
    /// <summary>Registered, not yet taking grains.</summary>
    Joining = 1,

    /// <summary>Owns grains by placement and serves calls.</summary>
    Active = 2,

    /// <summary>Leaving gracefully: takes no new activations, finishes and hands over the ones it has.</summary>
    ShuttingDown = 3,

    /// <summary>Gone (left, or declared dead by its peers). A silo that sees itself dead stops serving.</summary>
    Dead = 4,
}
