using WardLink.Domain;

namespace WardLink.UnitTests;

/// <summary>The refusals every decision test checks: nothing to append, and why.</summary>
internal static class DecisionAssert
{
    public static void AssertConflict(Decision decision)
    {
        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    /// <summary>Refused as invalid, naming exactly <paramref name="fields"/>.</summary>
    public static void AssertInvalid(Decision decision, params string[] fields)
    {
        Assert.False(decision.IsAccepted);
        Assert.Empty(decision.Events);
        Assert.Equal(RejectionKind.Invalid, decision.Rejection!.Kind);
        Assert.Equal(fields.Order(), decision.Rejection.Errors!.Keys.Order());
    }
}
