using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using WardLink.EventSourcing;

namespace WardLink.IntegrationTests;

/// <summary>
/// What an insider with the database does to a sealed document's row (the p-insider probe), generated from the document's type:
/// each of its fields, and each field of the objects and lists in it, removed, set to null and set to a value of the wrong JSON
/// type (a byte field to text that is not base64, and to other bytes, one bit changed), and the whole data replaced by <c>[]</c>, a string or <c>null</c>; so a field
/// added to a sealed document is damaged here without a test naming it.
/// </summary>
public static class SealedRows
{
    /// <summary>The row's data of <typeparamref name="T"/> <paramref name="id"/> as stored (JSON).</summary>
    public static async Task<JsonObject> DataOfAsync<T>(IDocumentStore store, Guid id, CancellationToken ct)
        where T : class, ISealedDocument
    {
        await using var session = store.QuerySession();
        return JsonNode.Parse((await session.Json.FindByIdAsync<T>(id, ct))!)!.AsObject();
    }

    /// <summary>Writes <paramref name="data"/> as the row's data of <typeparamref name="T"/> <paramref name="id"/>, by SQL, as the insider did.</summary>
    public static async Task WriteAsync<T>(IDocumentStore store, Guid id, string data, CancellationToken ct)
        where T : class, ISealedDocument
    {
        await using var session = store.LightweightSession();
        session.QueueSqlCommand($"UPDATE {TableOf<T>(store)} SET data = ?::jsonb WHERE id = ?", data, id);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Does <paramref name="damage"/> (one of <see cref="DamagesOf{T}"/>) to the row of <typeparamref name="T"/> <paramref name="id"/>
    /// as it is stored: the row keeps its own id and sealed values, so only the damage tells it from a sound one.
    /// </summary>
    public static async Task DamageAsync<T>(IDocumentStore store, Guid id, string damage, CancellationToken ct)
        where T : class, ISealedDocument =>
        await WriteAsync<T>(store, id, DamagesOf<T>(await DataOfAsync<T>(store, id, ct)).Single(done => done.Damage == damage).Data, ct);

    /// <summary>The table that keeps documents of <typeparamref name="T"/>.</summary>
    public static string TableOf<T>(IDocumentStore store) => store.Options.FindOrResolveDocumentType(typeof(T)).TableName.QualifiedName;

    /// <summary>Every damage of <paramref name="stored"/> (a row's data of <typeparamref name="T"/>): what was done, and the data it leaves.</summary>
    public static IEnumerable<(string Damage, string Data)> DamagesOf<T>(JsonObject stored)
        where T : class, ISealedDocument =>
        FieldDamages(typeof(T), stored, [])
            .Select(damage => (damage.Damage, Changed(stored, damage.Path, damage.Value, damage.Remove)))
            .Concat([("data []", "[]"), ("data a string", "\"sealed\""), ("data null", "null")]);

    private static IEnumerable<(string Damage, object[] Path, JsonNode? Value, bool Remove)> FieldDamages(Type type, JsonObject json, object[] path)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.CanWrite || property.GetMethod!.IsPublic))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (!json.TryGetPropertyValue(name, out var value) || value is null)
            {
                continue;
            }

            object[] at = [.. path, name];
            var shown = string.Join('.', at);
            yield return ($"{shown} removed", at, null, true);
            yield return ($"{shown} null", at, null, false);
            yield return ($"{shown} of the wrong type", at, WrongTypeFor(property.PropertyType, value), false);
            if (property.PropertyType == typeof(byte[]))
            {
                yield return ($"{shown} not base64", at, JsonValue.Create("not base64!"), false);
                yield return ($"{shown} one bit changed", at, JsonValue.Create(OneBitChanged(Convert.FromBase64String(value.GetValue<string>()))), false);
            }

            foreach (var inner in Inside(property.PropertyType, value, at))
            {
                yield return inner;
            }
        }
    }

    /// <summary>The damages of the fields of an object a field holds, and of the first element of a list of objects.</summary>
    private static IEnumerable<(string Damage, object[] Path, JsonNode? Value, bool Remove)> Inside(Type type, JsonNode value, object[] path) =>
        type == typeof(string) || type == typeof(byte[]) || type.IsValueType ? []
        : value is JsonObject inner ? FieldDamages(type, inner, path)
        : value is JsonArray { Count: > 0 } list && list[0] is JsonObject first && ElementOf(type) is { } element ? FieldDamages(element, first, [.. path, 0])
        : [];

    private static Type? ElementOf(Type type) =>
        type.GetInterfaces().Append(type).FirstOrDefault(face => face.IsGenericType && face.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
        is { } element && element != typeof(byte) && typeof(IEnumerable).IsAssignableFrom(type) ? element : null;

    private static JsonNode WrongTypeFor(Type type, JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => JsonValue.Create(5),
        JsonValueKind.Object or JsonValueKind.Array when type != typeof(string) => JsonValue.Create("text"),
        _ => new JsonArray(),
    };

    /// <summary>The bytes with the first one's lowest bit flipped: still of their form, no longer what was sealed.</summary>
    private static byte[] OneBitChanged(byte[] bytes) => [.. bytes.Select((one, index) => index == 0 ? (byte)(one ^ 1) : one)];

    private static string Changed(JsonObject stored, object[] path, JsonNode? value, bool remove)
    {
        var copy = stored.DeepClone();
        var parent = path[..^1].Aggregate(copy, (node, step) => step is int index ? node[index]! : node[(string)step]!);
        var last = (string)path[^1];
        if (remove)
        {
            parent.AsObject().Remove(last);
        }
        else
        {
            parent[last] = value?.DeepClone();
        }

        return copy.ToJsonString();
    }
}
