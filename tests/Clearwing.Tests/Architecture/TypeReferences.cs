using System.Reflection;
using System.Reflection.Emit;

namespace Clearwing.Tests.Architecture;

/// <summary>
/// Which types each type of an assembly uses: its base and interfaces, its fields, its members' signatures and every
/// type, field and method its method bodies name (read from the IL). Nested types — closures, async state machines,
/// iterators — count for the type they are nested in, since that is where the code was written.
/// </summary>
static class TypeReferences
{
    const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    /// <summary>For each top-level type, the set of types it uses (generic arguments and element types unwrapped).</summary>
    public static Dictionary<Type, HashSet<Type>> Of(Assembly assembly)
    {
        var uses = new Dictionary<Type, HashSet<Type>>();
        foreach (var type in assembly.GetTypes())
        {
            var owner = type;
            while (owner.DeclaringType is not null) owner = owner.DeclaringType;
            if (!uses.TryGetValue(owner, out var set)) uses[owner] = set = [];
            Collect(type, set);
        }
        return uses;
    }

    static void Collect(Type type, HashSet<Type> set)
    {
        Add(set, type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(set, i);
        foreach (var f in type.GetFields(Declared)) Add(set, f.FieldType);
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (m is MethodInfo mi) Add(set, mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(set, p.ParameterType);
            var body = m.GetMethodBody();
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(set, local.LocalType);
            foreach (var clause in body.ExceptionHandlingClauses)
                if (clause.Flags == ExceptionHandlingClauseOptions.Clause) Add(set, clause.CatchType);
            var typeArgs = type.IsGenericType ? type.GetGenericArguments() : null;
            var methodArgs = m.IsGenericMethod ? m.GetGenericArguments() : null;
            foreach (var token in Tokens(body.GetILAsByteArray() ?? []))
                switch (Resolve(m.Module, token, typeArgs, methodArgs))
                {
                    case Type t: Add(set, t); break;
                    case FieldInfo f: Add(set, f.DeclaringType); Add(set, f.FieldType); break;
                    case MethodBase target:
                        Add(set, target.DeclaringType);
                        if (target is MethodInfo { IsGenericMethod: true } g) foreach (var a in g.GetGenericArguments()) Add(set, a);
                        break;
                }
        }
    }

    static MemberInfo? Resolve(Module module, int token, Type[]? typeArgs, Type[]? methodArgs)
    {
        try
        {
            return module.ResolveMember(token, typeArgs, methodArgs);
        }
        catch (Exception e) when (e is ArgumentException or TypeLoadException or MissingMemberException or BadImageFormatException)
        {
            // Tokens into assemblies this test process cannot load name no Clearwing type.
            return null;
        }
    }

    /// <summary>The metadata tokens an IL body names (types, fields, methods; not strings or signatures).</summary>
    static IEnumerable<int> Tokens(byte[] il)
    {
        for (var at = 0; at < il.Length;)
        {
            short code = il[at++];
            if (code == 0xFE) code = (short)(0xFE00 | il[at++]);
            switch (Operands[code])
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    yield return BitConverter.ToInt32(il, at);
                    at += 4;
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: at += 1; break;
                case OperandType.InlineVar: at += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: at += 8; break;
                case OperandType.InlineSwitch: at += 4 + 4 * BitConverter.ToInt32(il, at); break;
                default: at += 4; break;
            }
        }
    }

    static void Add(HashSet<Type> set, Type? type)
    {
        if (type is null) return;
        if (type.HasElementType)
        {
            Add(set, type.GetElementType());
            return;
        }
        if (type.IsGenericParameter) return;
        if (type.IsConstructedGenericType)
        {
            foreach (var a in type.GetGenericArguments()) Add(set, a);
            type = type.GetGenericTypeDefinition();
        }
        while (type.DeclaringType is not null) type = type.DeclaringType;
        set.Add(type);
    }
}
