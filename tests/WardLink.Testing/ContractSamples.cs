using System.Reflection;
using MassTransit;
using WardLink.Contracts.Partners;

namespace WardLink.Testing;

/// <summary>An enum a message carries, where it carries it (<c>Category</c>, <c>Place.Kind</c>, <c>Kinds[0]</c>), and its type.</summary>
public sealed record EnumSlot(string Path, Type EnumType);

/// <summary>
/// Every message of the contracts (each record with a URN), built with a sample value in every field, and every enum it
/// carries at any depth (a nested record, a list's item, a dictionary's key or value, a nullable enum), read from the
/// records' constructors: a new contract, or a new enum field, is covered without editing a test. A field of a type the
/// samples do not know fails, naming it.
/// </summary>
public static class ContractSamples
{
    public static IReadOnlyList<Type> Messages { get; } =
        [.. typeof(SiteRegistered).Assembly.GetExportedTypes().Where(type => type.IsDefined(typeof(MessageUrnAttribute))).OrderBy(type => type.FullName, StringComparer.Ordinal)];

    /// <summary>The exchange a message is published to (MassTransit's entity name: its namespace and name, or its <c>EntityName</c>).</summary>
    public static string ExchangeOf(Type message) => message.GetCustomAttribute<EntityNameAttribute>()?.EntityName ?? $"{message.Namespace}:{message.Name}";

    /// <summary>Every enum <paramref name="type"/> carries, at any depth.</summary>
    public static IReadOnlyList<EnumSlot> EnumsOf(Type type)
    {
        var slots = new List<EnumSlot>();
        Build(type, string.Empty, (path, enumType) =>
        {
            slots.Add(new EnumSlot(path, enumType));
            return Enum.GetValues(enumType).GetValue(0)!;
        });
        return slots;
    }

    /// <summary>A sample of <paramref name="type"/>: each enum its first value, but at <paramref name="slot"/>, whose value is <paramref name="value"/>.</summary>
    public static object Sample(Type type, EnumSlot? slot = null, long value = 0) =>
        Build(type, string.Empty, (path, enumType) => path == slot?.Path ? Enum.ToObject(enumType, value) : Enum.GetValues(enumType).GetValue(0)!);

    private static object Build(Type type, string path, Func<string, Type, object> enumAt)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Build(underlying, path, enumAt);
        }

        if (type.IsEnum)
        {
            return enumAt(path, type);
        }

        if (Scalar(type) is { } scalar)
        {
            return scalar;
        }

        var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
        if (generic == typeof(IReadOnlyList<>) || generic == typeof(IReadOnlyCollection<>) || generic == typeof(IEnumerable<>) || generic == typeof(IList<>))
        {
            var items = Array.CreateInstance(type.GetGenericArguments()[0], 1);
            items.SetValue(Build(type.GetGenericArguments()[0], $"{path}[0]", enumAt), 0);
            return items;
        }

        if (generic == typeof(IReadOnlyDictionary<,>) || generic == typeof(IDictionary<,>))
        {
            var (keyType, valueType) = (type.GetGenericArguments()[0], type.GetGenericArguments()[1]);
            var dictionary = (System.Collections.IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(keyType, valueType))!;
            dictionary.Add(Build(keyType, $"{path}.key", enumAt), Build(valueType, $"{path}.value", enumAt));
            return dictionary;
        }

        if (type.IsClass && type.GetConstructors().MaxBy(constructor => constructor.GetParameters().Length) is { } record)
        {
            return record.Invoke([.. record.GetParameters().Select(parameter => Build(parameter.ParameterType, path.Length == 0 ? parameter.Name! : $"{path}.{parameter.Name}", enumAt))]);
        }

        throw new NotSupportedException($"The contract samples build no {type.Name} (at {path}): add it to {nameof(ContractSamples)}.");
    }

    /// <summary>A value every consumer would take for a field of its type; for texts, a name (not blank, short).</summary>
    private static object? Scalar(Type type) => type switch
    {
        _ when type == typeof(Guid) => Guid.CreateVersion7(),
        _ when type == typeof(string) => "Sample",
        _ when type == typeof(bool) => true,
        _ when type == typeof(int) => 1,
        _ when type == typeof(long) => 1L,
        _ when type == typeof(double) => 19.8,
        _ when type == typeof(DateTimeOffset) => DateTimeOffset.UtcNow,
        _ when type == typeof(DateOnly) => DateOnly.FromDateTime(DateTime.UtcNow),
        _ => null,
    };
}
