//! Binds a registry into a Rhai engine, from its descriptors alone.
//!
//! - Module objects (`test`, `Test`) and value modules (`params`) come from the engine's
//!   variable resolver: visible everywhere, inside `fn` bodies and closures too, and shadowed
//!   by a script's own variables. They never enter the scope, so the debugger's locals stay
//!   the script's own.
//! - `test.echo(1)` and `c.incr(2)` are method calls on a [`HostRef`]: for every distinct
//!   function or method name there is one raw function per arity (receiver + 0..=[`MAX_ARGS`]
//!   `Dynamic`s) that dispatches on the receiver, so arguments are validated by the bridge,
//!   not by Rhai's overload resolution.
//! - `test::echo(1)` goes through a static module per host module.
//! - Globals (`print`) are raw functions by name; `print` also overrides the standard
//!   package's typed `print`s so every value prints its canonical text.
//! - Fields: `c.name` falls back to the indexer, which reads `HostObject::field`.
//!
//! These functions depend only on the *names* in the registry, so they are built once per
//! registry shape and shared by every spell (building them per spell would cost more than
//! the rest of the engine). They find their spell through [`with_session`].
//!
//! Rhai keywords in host names: `new` and `loop` cannot follow a `.` in Rhai, and `call`,
//! `print` and `debug` are handled before any function lookup. A token mapper turns any
//! keyword after `.`, `?.` or `::` into a plain name, and renames `call`, `print` and `debug`
//! there to `@call`, `@print`, `@debug` (names a script cannot write), which the host
//! functions are registered under. `@call` keeps Rhai's own meaning for function pointers
//! (`f.call(x)`, `obj.call(f, x)`).

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use llmspell_bridge::{Function, HostError, Invocation, ModuleKind, Registry, Value};
use rhai::{
    Array, Blob, Dynamic, Engine, EvalAltResult, FnNamespace, FnPtr, FuncRegistration, ImmutableString,
    Module, NativeCallContext, Position, RhaiFunc, Shared, Token,
};

use super::convert::{HostRef, arguments, to_dynamic, to_value};
use super::memory;
use super::session::{Session, terminated, with_session};

/// The most arguments a host function takes from Rhai (Rhai matches `Dynamic` parameters
/// for up to 16 arguments, and a method's receiver is one of them).
pub(crate) const MAX_ARGS: usize = 15;

type RawResult = Result<Dynamic, Box<EvalAltResult>>;
type RawFn = dyn Fn(Option<NativeCallContext<'_>>, &mut [&mut Dynamic]) -> RawResult + Send + Sync;

/// Names that are Rhai keywords handled before function lookup, and what they become after
/// a `.` or `::`.
const MANGLED: [(&str, &str); 3] = [("call", "@call"), ("print", "@print"), ("debug", "@debug")];

/// The name a host function is registered under for method and `::` calls.
fn mangle(name: &'static str) -> &'static str {
    MANGLED.iter().find(|(plain, _)| *plain == name).map_or(name, |(_, mangled)| mangled)
}

/// Undoes [`mangle`] in a message shown to the user.
pub(crate) fn unmangle(text: &str) -> String {
    let mut text = text.to_owned();
    for (plain, mangled) in MANGLED {
        if text.contains(mangled) {
            text = text.replace(mangled, plain);
        }
    }
    text.replace("llmspell_runtime::rhai::convert::HostRef", "host")
}

/// Lets host names that are Rhai keywords follow `.`, `?.` and `::` (see the module docs).
pub(crate) fn install_token_mapper(engine: &mut Engine) {
    let after_dot = AtomicBool::new(false);
    #[allow(deprecated, reason = "on_parse_token is marked volatile, not deprecated")]
    engine.on_parse_token(move |token, _, _| {
        let follows_dot = after_dot
            .swap(matches!(token, Token::Period | Token::Elvis | Token::DoubleColon), Ordering::Relaxed);
        if !follows_dot {
            return token;
        }
        let keyword = match &token {
            Token::Identifier(_) => return token,
            Token::Reserved(text) => text.as_str().to_owned(),
            other if other.is_literal() => other.literal_syntax().to_owned(),
            _ => return token,
        };
        if !rhai::is_valid_identifier(&keyword) {
            return token;
        }
        let name = MANGLED.iter().find(|(plain, _)| *plain == keyword).map_or(keyword.as_str(), |(_, m)| m);
        Token::Identifier(Box::new(name.into()))
    });
}

/// Binds every module of the session's registry into `engine`.
pub(crate) fn bind_registry(engine: &mut Engine, session: &Session<'_>) {
    let registry = &session.env.registry;
    let binding = binding_for(registry);
    engine.register_type_with_name::<HostRef>("host");
    engine.register_global_module(binding.functions.clone());
    for (name, module) in &binding.statics {
        engine.register_static_module(*name, module.clone());
    }

    // Module objects and value modules, resolved by name wherever a script variable of that
    // name is not in scope: inside `fn` bodies and closures too.
    //
    // A closure that names `test` captures it like any free variable: it becomes a curried
    // parameter, and Rhai makes captured variables shared when a closure inside captures them
    // again. A shared receiver is locked during a method call, so `test.call(|x| test.add(x,
    // 1))` would fail as a data race. Resolving a variable that holds a module object here
    // (instead of from the scope) keeps it from ever being shared; such a variable is then
    // read-only, which a module object is anyway.
    let mut objects: Vec<(&'static str, Dynamic)> = Vec::new();
    for (index, module) in registry.modules.iter().enumerate() {
        let value = match &module.kind {
            ModuleKind::Functions => Dynamic::from(HostRef::Module { index, name: module.name }),
            ModuleKind::Value(value) => to_dynamic(value.clone()),
            ModuleKind::Globals => continue,
        };
        for name in std::iter::once(&module.name).chain(&module.aliases) {
            objects.push((*name, value.clone()));
        }
    }
    #[allow(deprecated, reason = "on_var is marked volatile, not deprecated")]
    engine.on_var(move |name, index, context| {
        let Some((_, value)) = objects.iter().find(|(object, _)| *object == name) else {
            return Ok(None);
        };
        if index == 0 && !context.scope().contains(name) {
            return Ok(Some(value.clone()));
        }
        match context.scope().get_value_ref::<HostRef>(name) {
            Some(local @ HostRef::Module { .. }) => Ok(Some(Dynamic::from(local.clone()))),
            _ => Ok(None),
        }
    });

    // `print` is a raw function (see `call_global`); Rhai's `debug` statement writes its
    // debug text through the host's `print` as well.
    engine.on_debug(|text, _, _| {
        with_session(|session| {
            if let Some(print) = find_global(&session.env.registry, "print") {
                let _ = session.env.call_blocking(print, "print", None, vec![Value::Str(text.to_owned())]);
            }
        });
    });
}

/// The shared functions of one registry shape.
struct Binding {
    /// Methods on host handles, globals, `@call`, the indexer and operators.
    functions: Shared<Module>,
    /// One static module per module name and alias, for `test::echo(1)`.
    statics: Vec<(&'static str, Shared<Module>)>,
}

/// The binding for `registry`, built on first use of its shape.
fn binding_for(registry: &Registry) -> Arc<Binding> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Binding>>>> = OnceLock::new();
    let key = shape_of(registry);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(binding) = cache.lock().ok().and_then(|cache| cache.get(&key).cloned()) {
        return binding;
    }
    let binding = Arc::new(build_binding(registry));
    if let Ok(mut cache) = cache.lock() {
        cache.insert(key, binding.clone());
    }
    binding
}

/// Everything the binding depends on: the kinds and names of modules, functions and methods.
fn shape_of(registry: &Registry) -> String {
    let mut key = String::new();
    let names = |function: &Function| {
        std::iter::once(function.name).chain(function.aliases.iter().copied()).collect::<Vec<_>>().join(",")
    };
    for module in &registry.modules {
        let kind = match module.kind {
            ModuleKind::Functions => 'f',
            ModuleKind::Globals => 'g',
            ModuleKind::Value(_) => 'v',
        };
        key.push_str(&format!("{kind}:{}:{}(", module.name, module.aliases.join(",")));
        for function in &module.functions {
            key.push_str(&names(function));
            key.push(';');
        }
        key.push(')');
    }
    for object_type in &registry.types {
        key.push_str(&format!("t:{}(", object_type.name));
        for method in &object_type.methods {
            key.push_str(&names(method));
            key.push(';');
        }
        key.push(')');
    }
    key
}

fn build_binding(registry: &Registry) -> Binding {
    let mut functions = Module::new();

    // Methods of module objects and host objects, by distinct (mangled) name.
    let mut method_names: Vec<&'static str> = Vec::new();
    let module_functions = registry
        .modules
        .iter()
        .filter(|module| matches!(module.kind, ModuleKind::Functions))
        .flat_map(|module| module.functions.iter());
    let object_methods = registry.types.iter().flat_map(|object_type| object_type.methods.iter());
    for function in module_functions.chain(object_methods) {
        for name in std::iter::once(function.name).chain(function.aliases.iter().copied()) {
            if !method_names.contains(&name) {
                method_names.push(name);
            }
        }
    }
    for name in method_names {
        if name == "call" {
            continue; // `@call` below dispatches host handles too.
        }
        let body: Shared<RawFn> = Shared::new(move |context, args| call_method(context, args, name));
        for count in 0..=MAX_ARGS {
            let mut types = vec![TypeId::of::<HostRef>()];
            types.extend(std::iter::repeat_n(TypeId::of::<Dynamic>(), count));
            register(&mut functions, mangle(name), &types, &body, FnNamespace::Global);
        }
    }
    let call: Shared<RawFn> = Shared::new(call_keyword);
    for count in 1..=MAX_ARGS + 1 {
        register(&mut functions, "@call", &vec![TypeId::of::<Dynamic>(); count], &call, FnNamespace::Global);
    }

    // Globals.
    for module in registry.modules.iter().filter(|module| matches!(module.kind, ModuleKind::Globals)) {
        for function in &module.functions {
            for name in std::iter::once(function.name).chain(function.aliases.iter().copied()) {
                let body: Shared<RawFn> = Shared::new(move |context, args| call_global(context, args, name));
                for count in 0..=MAX_ARGS {
                    register(
                        &mut functions,
                        name,
                        &vec![TypeId::of::<Dynamic>(); count],
                        &body,
                        FnNamespace::Global,
                    );
                }
                if name == "print" || name == "debug" {
                    // The standard package has typed versions, found before `Dynamic` ones.
                    for typed in [
                        TypeId::of::<()>(),
                        TypeId::of::<bool>(),
                        TypeId::of::<rhai::INT>(),
                        TypeId::of::<rhai::FLOAT>(),
                        TypeId::of::<ImmutableString>(),
                        TypeId::of::<char>(),
                        TypeId::of::<Array>(),
                        TypeId::of::<rhai::Map>(),
                        TypeId::of::<Blob>(),
                        TypeId::of::<FnPtr>(),
                        TypeId::of::<HostRef>(),
                    ] {
                        register(&mut functions, name, &[typed], &body, FnNamespace::Global);
                    }
                }
            }
        }
    }

    // Fields (and functions as values) through the indexer, identity, text.
    let index: Shared<RawFn> = Shared::new(get_property);
    register(
        &mut functions,
        "index$get$",
        &[TypeId::of::<HostRef>(), TypeId::of::<ImmutableString>()],
        &index,
        FnNamespace::Global,
    );
    let pair = [TypeId::of::<HostRef>(), TypeId::of::<HostRef>()];
    let equal: Shared<RawFn> = Shared::new(|_, args| Ok(Dynamic::from_bool(same(args))));
    let different: Shared<RawFn> = Shared::new(|_, args| Ok(Dynamic::from_bool(!same(args))));
    register(&mut functions, "==", &pair, &equal, FnNamespace::Global);
    register(&mut functions, "!=", &pair, &different, FnNamespace::Global);
    let text: Shared<RawFn> =
        Shared::new(|_, args| Ok(receiver(args).map(|handle| handle.display()).unwrap_or_default().into()));
    for name in ["to_string", "to_debug"] {
        register(&mut functions, name, &[TypeId::of::<HostRef>()], &text, FnNamespace::Global);
    }

    // Static modules: `test::echo(1)`.
    let mut statics = Vec::new();
    for module in registry.modules.iter().filter(|module| matches!(module.kind, ModuleKind::Functions)) {
        let module_name = module.name;
        let mut static_module = Module::new();
        for function in &module.functions {
            let function_name = function.name;
            let body: Shared<RawFn> =
                Shared::new(move |context, args| call_static(context, args, module_name, function_name));
            for name in std::iter::once(function.name).chain(function.aliases.iter().copied()) {
                for count in 0..=MAX_ARGS {
                    register(
                        &mut static_module,
                        mangle(name),
                        &vec![TypeId::of::<Dynamic>(); count],
                        &body,
                        FnNamespace::Internal,
                    );
                }
            }
        }
        static_module.set_id(module.name);
        static_module.build_index();
        let shared: Shared<Module> = static_module.into();
        for name in std::iter::once(&module.name).chain(&module.aliases) {
            statics.push((*name, shared.clone()));
        }
    }

    functions.build_index();
    Binding { functions: functions.into(), statics }
}

fn register(module: &mut Module, name: &str, types: &[TypeId], body: &Shared<RawFn>, namespace: FnNamespace) {
    FuncRegistration::new(name).with_namespace(namespace).set_into_module_raw(
        module,
        types,
        RhaiFunc::Method {
            func: body.clone(),
            has_context: true,
            is_pure: true,
            is_volatile: true,
        },
    );
}

/// The host handle an argument holds, if it holds one.
fn receiver(args: &[&mut Dynamic]) -> Option<HostRef> {
    args.first().and_then(|arg| arg.read_lock::<HostRef>().map(|handle| handle.clone()))
}

fn same(args: &[&mut Dynamic]) -> bool {
    match (receiver(args), args.get(1).and_then(|arg| arg.read_lock::<HostRef>().map(|h| h.clone()))) {
        (Some(a), Some(b)) => a.same(&b),
        _ => false,
    }
}

/// `handle.name(args…)`: a module function or an object method, found by name.
fn call_method(
    context: Option<NativeCallContext<'_>>,
    args: &mut [&mut Dynamic],
    name: &'static str,
) -> RawResult {
    let Some(handle) = receiver(args) else {
        return Err(not_found(name, args));
    };
    with_session(|session| {
        let registry = &session.env.registry;
        let (function, qualified, this) = match &handle {
            HostRef::Module { index, name: module_name } => {
                let module = &registry.modules[*index];
                let Some(function) = module.find(name) else {
                    return Err(missing(format!("{module_name}.{name}")));
                };
                (function, module.qualified(function.name), None)
            }
            HostRef::Object(object) => {
                let method =
                    registry.object_type(object.type_name()).and_then(|object_type| object_type.find(name));
                let Some(method) = method else {
                    return Err(missing(format!("{}.{name}", object.type_name())));
                };
                (
                    method,
                    format!("{}.{}", object.type_name(), method.name),
                    Some(Value::Object(object.clone())),
                )
            }
        };
        let mark = memory::mark();
        let values = arguments(&args[1..]).map_err(|error| session.raise(error))?;
        invoke(session, context, function, &qualified, this, values, mark)
    })
    .unwrap_or_else(no_session)
}

/// `@call`: a host function or method called `call`, or Rhai's own `f.call(…)` and
/// `obj.call(f, …)` on function pointers.
fn call_keyword(context: Option<NativeCallContext<'_>>, args: &mut [&mut Dynamic]) -> RawResult {
    if receiver(args).is_some() {
        return call_method(context, args, "call");
    }
    let Some(context) = context else {
        return Err(not_found("call", args));
    };
    if let Some(function) = args[0].read_lock::<FnPtr>().map(|function| function.clone()) {
        let rest: Vec<Dynamic> = args[1..].iter_mut().map(|arg| arg.take()).collect();
        return function.call_raw(&context, None, rest);
    }
    if let Some(function) =
        args.get(1).and_then(|arg| arg.read_lock::<FnPtr>().map(|function| function.clone()))
    {
        let (this, rest) = args.split_at_mut(1);
        let rest: Vec<Dynamic> = rest[1..].iter_mut().map(|arg| arg.take()).collect();
        return function.call_raw(&context, Some(&mut *this[0]), rest);
    }
    Err(not_found("call", args))
}

/// A `Globals` function called `name`.
fn call_global(
    context: Option<NativeCallContext<'_>>,
    args: &mut [&mut Dynamic],
    name: &'static str,
) -> RawResult {
    with_session(|session| {
        let Some(function) = find_global(&session.env.registry, name) else {
            return Err(missing(name.to_owned()));
        };
        let mark = memory::mark();
        let values = if name == "print" {
            // `print` shows anything, even what cannot cross the bridge (a module object).
            args.iter().map(|arg| to_value(arg).unwrap_or_else(|_| Value::Str(describe(arg)))).collect()
        } else {
            arguments(args).map_err(|error| session.raise(error))?
        };
        invoke(session, context, function, name, None, values, mark)
    })
    .unwrap_or_else(no_session)
}

/// How a value that has no bridge form is shown: a handle's text, else Rhai's own.
fn describe(value: &Dynamic) -> String {
    match value.read_lock::<HostRef>() {
        Some(handle) => handle.display(),
        None => value.to_string(),
    }
}

/// `module::function(args…)`.
fn call_static(
    context: Option<NativeCallContext<'_>>,
    args: &mut [&mut Dynamic],
    module_name: &'static str,
    function_name: &'static str,
) -> RawResult {
    with_session(|session| {
        let registry = &session.env.registry;
        let module = session.module_index(module_name).map(|index| &registry.modules[index]);
        let Some((module, function)) = module.and_then(|module| Some((module, module.find(function_name)?)))
        else {
            return Err(missing(format!("{module_name}::{function_name}")));
        };
        let mark = memory::mark();
        let values = arguments(args).map_err(|error| session.raise(error))?;
        invoke(session, context, function, &module.qualified(function.name), None, values, mark)
    })
    .unwrap_or_else(no_session)
}

/// `handle.name` / `handle["name"]`: an object's field, else a function of the module or a
/// method of the object as a function pointer, else `()`.
fn get_property(_: Option<NativeCallContext<'_>>, args: &mut [&mut Dynamic]) -> RawResult {
    let Some(handle) = receiver(args) else {
        return Ok(Dynamic::UNIT);
    };
    let Ok(name) = args[1].as_immutable_string_ref().map(|name| name.to_string()) else {
        return Ok(Dynamic::UNIT);
    };
    with_session(|session| {
        let registry = &session.env.registry;
        let function = match &handle {
            HostRef::Object(object) => {
                if let Some(value) = object.0.field(&name) {
                    return Ok(to_dynamic(value));
                }
                registry.object_type(object.type_name()).and_then(|object_type| object_type.find(&name))
            }
            HostRef::Module { index, .. } => registry.modules[*index].find(&name),
        };
        Ok(match function {
            Some(function) => Dynamic::from(bound_method(handle, function.name)),
            None => Dynamic::UNIT,
        })
    })
    .unwrap_or_else(no_session)
}

/// `handle.name` as a function pointer: calling it calls the method on `handle`.
fn bound_method(handle: HostRef, name: &'static str) -> FnPtr {
    let call = move |context: NativeCallContext<'_>, args: &mut [&mut Dynamic]| {
        let mut this = Dynamic::from(handle.clone());
        let mut all: Vec<&mut Dynamic> = Vec::with_capacity(args.len() + 1);
        all.push(&mut this);
        all.extend(args.iter_mut().map(|arg| &mut **arg));
        call_method(Some(context), &mut all, name)
    };
    #[allow(deprecated, reason = "FnPtr::from_fn is marked volatile, not deprecated")]
    let pointer = FnPtr::from_fn(name, call.clone()).or_else(|_| FnPtr::from_fn("host_function", call));
    pointer.unwrap_or_else(|_| FnPtr::new("host_function").expect("a valid function name"))
}

/// Calls a host function with the call's context recorded for callbacks. `mark` is the
/// thread balance before the arguments were converted (see [`call_blocking`]).
fn invoke(
    session: &Session<'_>,
    context: Option<NativeCallContext<'_>>,
    function: &Function,
    qualified: &str,
    this: Option<Value>,
    values: Vec<Value>,
    mark: isize,
) -> RawResult {
    let result = match &context {
        Some(context) => {
            let _context = session.push_context(context);
            call_blocking(session, function, qualified, this, values, mark)
        }
        None => call_blocking(session, function, qualified, this, values, mark),
    };
    if let Some(fatal) = session.fatal() {
        return Err(terminated(fatal));
    }
    match result {
        Ok(value) => Ok(to_dynamic(value)),
        Err(error) => Err(session.raise(error)),
    }
}

/// [`SpellEnv::call_blocking`](crate::SpellEnv::call_blocking), keeping the memory an
/// I/O-bound call moves between threads out of the spell's count: its arguments and future
/// (allocated here since `mark`, freed on an I/O worker) and its result (allocated there; the
/// spell gets a copy made here, and the original's free here is not the spell's either).
fn call_blocking(
    session: &Session<'_>,
    function: &Function,
    qualified: &str,
    this: Option<Value>,
    values: Vec<Value>,
    mark: isize,
) -> Result<Value, HostError> {
    let env = session.env;
    match function.invoke(qualified, this, values) {
        Invocation::Ready(result) => result,
        Invocation::Pending(future) => {
            let Some(meter) = session.memory.as_ref().filter(|meter| meter.counts()) else {
                return env.mailbox.wait_for(future, env.deadline, &env.cancel)?;
            };
            meter.exclude_since(mark);
            let result = env.mailbox.wait_for(future, env.deadline, &env.cancel)?;
            let copy = result.clone();
            let freed = memory::mark();
            drop(result);
            meter.exclude_since(freed);
            copy
        }
    }
}

/// The `Globals` function called `name` (or aliased so).
fn find_global<'r>(registry: &'r Registry, name: &str) -> Option<&'r Function> {
    registry
        .modules
        .iter()
        .filter(|module| matches!(module.kind, ModuleKind::Globals))
        .find_map(|module| module.find(name))
}

fn missing(name: String) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorFunctionNotFound(name, Position::NONE))
}

fn not_found(name: &str, args: &[&mut Dynamic]) -> Box<EvalAltResult> {
    let types: Vec<&str> = args.iter().map(|arg| arg.type_name()).collect();
    missing(unmangle(&format!("{name} ({})", types.join(", "))))
}

fn no_session<T>() -> Result<T, Box<EvalAltResult>> {
    Err(terminated(HostError::new(llmspell_bridge::codes::TERMINATED, "the spell has already ended")))
}
