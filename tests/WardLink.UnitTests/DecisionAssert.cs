using CsCheck;
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

    /// <summary>
    /// Whatever <typeparamref name="TValue"/> a creation names (<paramref name="decide"/> given it and whether a partner sends it):
    /// a partner's is taken only as <paramref name="partners"/> (else invalid, naming <paramref name="field"/>), anyone else's
    /// as it says (<paramref name="recorded"/> in the one event).
    /// </summary>
    public static void AssertPartnerSaysOnly<TValue, TEvent>(Func<TValue, bool, Decision> decide, TValue partners, string field, Func<TEvent, TValue> recorded)
        where TValue : struct, Enum =>
        Gen.Select(Gen.Enum<TValue>(), Gen.Bool).Sample((value, fromPartner) =>
        {
            var decision = decide(value, fromPartner);

            if (fromPartner && !value.Equals(partners))
            {
                AssertInvalid(decision, field);
            }
            else
            {
                Assert.Equal(value, recorded(Assert.IsType<TEvent>(Assert.Single(decision.Events))));
            }
        });
}
