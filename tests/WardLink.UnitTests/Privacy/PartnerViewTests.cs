using System.Reflection;
using WardLink.Incidents;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.Tips;

namespace WardLink.UnitTests.Privacy;

/// <summary>
/// A field added to a stored record reaches a partner only when a view names it: no type a view other than the police's
/// holds, however deep, is one a stream's state or a stored document holds. Every view of the four services is walked
/// (a type named <c>…View</c>, but <c>…PoliceView</c>), so a view added later is covered without editing this test.
/// </summary>
public sealed class PartnerViewTests
{
    private static readonly Assembly[] Services =
    [
        typeof(TipState).Assembly, typeof(IncidentState).Assembly, typeof(ShiftState).Assembly, typeof(PartnerState).Assembly,
    ];

    /// <summary>What the services keep: each stream's state (its snapshot), and the documents kept beside the streams.</summary>
    private static readonly Type[] Stored =
    [
        .. Services.SelectMany(assembly => assembly.GetExportedTypes()).Where(type => type.IsClass && type.Name.EndsWith("State", StringComparison.Ordinal)),
        typeof(WebhookDelivery), typeof(WebhookSecret),
    ];

    private static readonly Type[] Views =
    [
        .. Services.SelectMany(assembly => assembly.GetExportedTypes())
            .Where(type => type.IsClass && type.Name.EndsWith("View", StringComparison.Ordinal) && !type.Name.EndsWith("PoliceView", StringComparison.Ordinal)),
    ];

    [Fact]
    public void The_views_and_stored_types_are_found()
    {
        Assert.Contains(typeof(WebhookDeliveryView), Views);
        Assert.Contains(typeof(WebhookView), Views);
        Assert.DoesNotContain(typeof(PartnerPoliceView), Views);
        Assert.Contains(typeof(WebhookState), Stored);
        Assert.Contains(typeof(PartnerState), Stored);
        Assert.Contains(typeof(DeliveryAttempt), HeldBy(Stored));
    }

    [Fact]
    public void No_view_but_the_police_s_holds_a_stored_type()
    {
        var stored = HeldBy(Stored);

        Assert.Empty(Views.SelectMany(view => HeldBy([view]).Where(stored.Contains).Select(type => $"{view.Name} holds {type.Name}")));
    }

    /// <summary>
    /// The records of WardLink's own that <paramref name="roots"/> hold in their properties, through lists and nullables, and
    /// the roots themselves: what a field added to any of them would reach. Enumerations hold no field.
    /// </summary>
    private static HashSet<Type> HeldBy(IEnumerable<Type> roots)
    {
        var held = new HashSet<Type>();
        var waiting = new Stack<Type>(roots);
        while (waiting.TryPop(out var type))
        {
            if (type.IsArray)
            {
                waiting.Push(type.GetElementType()!);
            }
            else if (type.IsGenericType)
            {
                foreach (var argument in type.GetGenericArguments())
                {
                    waiting.Push(argument);
                }
            }

            if (type.IsClass && type.Namespace?.StartsWith("WardLink", StringComparison.Ordinal) == true && held.Add(type))
            {
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    waiting.Push(property.PropertyType);
                }
            }
        }

        return held;
    }
}
