using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace WardLink.DeploymentTests;

/// <summary>The deployment files of this repository, read as the tools read them.</summary>
public static class Repository
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    private static readonly ISerializer Json = new SerializerBuilder().JsonCompatible().Build();

    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Every document of a YAML file (anchors and <c>&lt;&lt;</c> merges resolved), as JSON; scalars stay strings.</summary>
    public static IReadOnlyList<JsonObject> YamlDocuments(string relative)
    {
        using var reader = new StringReader(Read(relative));
        var parser = new MergingParser(new Parser(reader));
        parser.Consume<StreamStart>();
        var documents = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (Yaml.Deserialize(parser) is { } document)
            {
                documents.Add(JsonNode.Parse(Json.Serialize(document))!.AsObject());
            }
        }

        return documents;
    }

    public static JsonObject JsonFile(string relative) => JsonNode.Parse(Read(relative), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();

    private static string FindRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", ".."));
}
