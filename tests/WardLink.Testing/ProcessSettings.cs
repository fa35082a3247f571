using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using WardLink.ServiceDefaults;

namespace WardLink.Testing;

/// <summary>
/// The settings a WardLink process reads, found in its code rather than listed by hand: every settings type (a class named
/// <c>…Options</c>) of its assembly and of the WardLink assemblies it references, with the bounds each number and time
/// states (<see cref="Settings"/>), so a setting added tomorrow is tried by the same tests.
/// </summary>
public static class ProcessSettings
{
    /// <summary>Every settings type of the process whose entry point is <paramref name="entryPoint"/>.</summary>
    public static IEnumerable<Type> Types(Type entryPoint) =>
        Assemblies(entryPoint.Assembly)
            .SelectMany(assembly => assembly.GetTypes())
            .Where(type => type.IsClass && !type.IsAbstract && type.Name.EndsWith("Options", StringComparison.Ordinal) && type.Namespace?.StartsWith("WardLink", StringComparison.Ordinal) == true)
            .OrderBy(type => type.FullName, StringComparer.Ordinal);

    /// <summary>The configuration section a settings type is read from (its <c>Section</c> constant), or null.</summary>
    public static string? Section(Type type) =>
        type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;

    /// <summary>Every number and time of <paramref name="type"/>, nested objects' too, with the path of properties that leads to it.</summary>
    public static IEnumerable<IReadOnlyList<PropertyInfo>> Numbers(Type type) =>
        Settings.Properties(type).SelectMany(property => Settings.IsNested(property.PropertyType)
            ? Numbers(property.PropertyType).Select(path => (IReadOnlyList<PropertyInfo>)[property, .. path])
            : IsNumber(property.PropertyType) ? [[property]] : []);

    /// <summary>
    /// The settings of the process whose entry point is <paramref name="entryPoint"/> with bounds (<c>[Range]</c>) or a choice
    /// of values (<c>[AllowedValues]</c>).
    /// </summary>
    public static IEnumerable<Settings.Setting> Ruled(Type entryPoint) =>
        Types(entryPoint)
            .Where(type => Section(type) is not null)
            .SelectMany(type => Settings.Of(type, Section(type)!))
            .Where(setting => setting.Rule is RangeAttribute or AllowedValuesAttribute);

    /// <summary>
    /// The values just outside <paramref name="setting"/>'s rule: a tick (a time) or one (a count) below its least and above
    /// its most (none above a count that takes the largest value a 32-bit count holds); texts none of its choices.
    /// </summary>
    public static IEnumerable<object> JustOutside(Settings.Setting setting)
    {
        if (setting.Rule is AllowedValuesAttribute allowed)
        {
            return NoneOf(allowed);
        }

        return Edges(setting) switch
        {
            (TimeSpan least, TimeSpan most) => [least - TimeSpan.FromTicks(1), most + TimeSpan.FromTicks(1)],
            (long least, long most) => most < int.MaxValue ? [least - 1, most + 1] : [least - 1],
            var edges => throw new NotSupportedException($"{setting.Key}: bounds {edges} are neither times nor counts."),
        };
    }

    /// <summary>
    /// Texts none of <paramref name="allowed"/>'s values: nothing, each in upper case (the choice is exact, as the broker reads
    /// it), each with a space after it, and a word of its own.
    /// </summary>
    private static IEnumerable<object> NoneOf(AllowedValuesAttribute allowed)
    {
        var values = allowed.Values.Select(Settings.Text).ToList();
        return values.SelectMany(value => new[] { value.ToUpperInvariant(), $"{value} " }).Prepend(string.Empty).Append("many").Except(values, StringComparer.Ordinal);
    }

    /// <summary>The values at <paramref name="setting"/>'s edges, the least and the most it takes (a tick or one inside an exclusive bound).</summary>
    public static (object Least, object Most) Edges(Settings.Setting setting)
    {
        var range = (RangeAttribute)setting.Rule;
        if (setting.Type == typeof(TimeSpan))
        {
            var least = Time(range.Minimum);
            var most = Time(range.Maximum);
            return (range.MinimumIsExclusive ? least + TimeSpan.FromTicks(1) : least, range.MaximumIsExclusive ? most - TimeSpan.FromTicks(1) : most);
        }

        var low = Convert.ToInt64(range.Minimum, CultureInfo.InvariantCulture);
        var high = Convert.ToInt64(range.Maximum, CultureInfo.InvariantCulture);
        return (range.MinimumIsExclusive ? low + 1 : low, range.MaximumIsExclusive ? high - 1 : high);
    }

    /// <summary>A time bound as <c>[Range(typeof(TimeSpan), …)]</c> holds it: its text until the attribute first checks a value, then the time.</summary>
    private static TimeSpan Time(object bound) => bound is string text ? TimeSpan.Parse(text, CultureInfo.InvariantCulture) : (TimeSpan)bound;

    private static bool IsNumber(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) is var value
        && (value == typeof(int) || value == typeof(long) || value == typeof(double) || value == typeof(decimal) || value == typeof(TimeSpan));

    private static Dictionary<string, Assembly>.ValueCollection Assemblies(Assembly entry)
    {
        var seen = new Dictionary<string, Assembly>(StringComparer.Ordinal) { [entry.GetName().Name!] = entry };
        var next = new Queue<Assembly>([entry]);
        while (next.TryDequeue(out var assembly))
        {
            foreach (var name in assembly.GetReferencedAssemblies().Where(name => name.Name!.StartsWith("WardLink", StringComparison.Ordinal) && !seen.ContainsKey(name.Name)))
            {
                var referenced = Assembly.Load(name);
                seen[name.Name!] = referenced;
                next.Enqueue(referenced);
            }
        }

        return seen.Values;
    }
}
