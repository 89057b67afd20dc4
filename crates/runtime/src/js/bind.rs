//! Binds the registry into a JavaScript context, from its descriptors alone: module objects,
//! global functions, value modules, `console`, host-object handles and host callables.
//!
//! Every host function is one Rust closure calling [`Function::invoke`] with the qualified
//! name, so validation errors read the same in every engine. I/O-bound functions return a
//! Promise: the future runs on the I/O runtime and its result is posted back to the spell
//! thread, where the event loop settles the Promise.

use std::iter;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;

use futures::FutureExt as _;
use llmspell_bridge::{
    Callable, Function as HostFunction, HostError, Invocation, Module as HostModule, ModuleKind, Object as HostRef,
    Value, codes,
};
use rquickjs::class::{JsCell, JsClass, Readable, Trace, Tracer};
use rquickjs::function::{Constructor, Params, Rest, This};
use rquickjs::object::{Accessor, Property};
use rquickjs::{Class, Ctx, Exception, Function, JsLifetime, Object, Persistent, Value as JsValue};

use super::convert::{host_error_object, to_js, to_value};
use super::state::{PendingCall, State, active};
use crate::spell_thread::io_runtime;

/// The script-side handle of a host object; its prototype carries the type's methods and
/// field getters.
pub(super) struct HostHandle(pub HostRef);

// SAFETY: `HostHandle` holds no QuickJS value, so it is the same type at every lifetime.
unsafe impl<'js> JsLifetime<'js> for HostHandle {
    type Changed<'to> = HostHandle;
}

impl<'js> Trace<'js> for HostHandle {
    fn trace<'a>(&self, _tracer: Tracer<'a, 'js>) {}
}

impl<'js> JsClass<'js> for HostHandle {
    const NAME: &'static str = "HostObject";
    type Mutable = Readable;

    fn constructor(_ctx: &Ctx<'js>) -> rquickjs::Result<Option<Constructor<'js>>> {
        Ok(None)
    }
}

/// A host callable given to the script: a function object that calls it, and converts back
/// to the very same callable.
pub(super) struct CallableHandle(pub Callable);

// SAFETY: as for `HostHandle`.
unsafe impl<'js> JsLifetime<'js> for CallableHandle {
    type Changed<'to> = CallableHandle;
}

impl<'js> Trace<'js> for CallableHandle {
    fn trace<'a>(&self, _tracer: Tracer<'a, 'js>) {}
}

impl<'js> JsClass<'js> for CallableHandle {
    const NAME: &'static str = "HostFunction";
    const KIND: rquickjs::class::ClassKind = rquickjs::class::ClassKind::Callable;
    type Mutable = Readable;

    fn constructor(_ctx: &Ctx<'js>) -> rquickjs::Result<Option<Constructor<'js>>> {
        Ok(None)
    }

    fn call<'a>(this: &JsCell<'js, Self>, params: Params<'a, 'js>) -> rquickjs::Result<JsValue<'js>> {
        let callable = this.borrow().0.clone();
        let ctx = params.ctx().clone();
        let Some(active) = active() else {
            return Err(rquickjs::Exception::throw_internal(&ctx, "no spell is running"));
        };
        let state = active.state;
        if let Some(fatal) = state.guards.check() {
            return Err(throw_error(&ctx, &state, fatal));
        }
        let mut values = Vec::with_capacity(params.len());
        for index in 0..params.len() {
            let argument = params.arg(index).unwrap_or_else(|| JsValue::new_undefined(ctx.clone()));
            values.push(to_value(&ctx, &state, &argument).map_err(|error| throw_error(&ctx, &state, error))?);
        }
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| callable.call(values))).unwrap_or_else(|panic| {
            Err(HostError::internal(format!("a host function panicked: {}", panic_text(&panic))))
        });
        match result {
            Ok(value) => to_js(&ctx, &state, value),
            Err(error) => Err(throw_error(&ctx, &state, error)),
        }
    }
}

/// Binds every module of the registry, and `console`.
pub(super) fn bind_registry<'js>(ctx: &Ctx<'js>, state: &Rc<State>) -> rquickjs::Result<()> {
    let globals = ctx.globals();
    let registry = state.registry.clone();
    for module in &registry.modules {
        match &module.kind {
            ModuleKind::Globals => {
                for function in &module.functions {
                    let bound = host_function(ctx, state, function.clone(), module.qualified(function.name), None)?;
                    for name in names(function) {
                        globals.set(name, bound.clone())?;
                    }
                }
            }
            ModuleKind::Functions => {
                let object = module_object(ctx, state, module)?;
                for name in iter::once(module.name).chain(module.aliases.iter().copied()) {
                    globals.set(name, object.clone())?;
                }
            }
            ModuleKind::Value(value) => {
                let value = to_js(ctx, state, value.clone())?;
                for name in iter::once(module.name).chain(module.aliases.iter().copied()) {
                    globals.set(name, value.clone())?;
                }
            }
        }
    }
    // A registry module called `console` wins over the built-in one.
    if !globals.contains_key("console")? {
        globals.set("console", console(ctx, state)?)?;
    }
    install_stack_format(ctx, state)?;
    Ok(())
}

/// Installs `Error.prepareStackTrace`: a Rust function (QuickJS calls it without a stack
/// check, so it runs even at a stack overflow) that notes how deep the error was made, then
/// formats the stack with [`STACK_FORMAT`]. The property is then frozen, so a spell cannot
/// take the overflow check away.
fn install_stack_format<'js>(ctx: &Ctx<'js>, state: &Rc<State>) -> rquickjs::Result<()> {
    let formatter: Function<'js> = ctx.eval(STACK_FORMAT)?;
    state.set_stack_formatter(Persistent::save(ctx, formatter));
    let captured = state.clone();
    let prepare = Function::new(
        ctx.clone(),
        move |ctx: Ctx<'js>, error: JsValue<'js>, sites: JsValue<'js>| -> rquickjs::Result<JsValue<'js>> {
            captured.guards.note_error();
            let Some(formatter) = captured.stack_formatter() else {
                return Ok(JsValue::new_undefined(ctx));
            };
            let thrown = (!error.is_error()).then(|| error.clone());
            match formatter.restore(&ctx)?.call::<_, JsValue<'js>>((error, sites)) {
                Ok(text) => {
                    if let Some(thrown) = thrown
                        && let Some(stack) = text.as_string().and_then(|stack| stack.to_string().ok())
                    {
                        captured.note_thrown(&ctx, thrown, stack);
                    }
                    Ok(text)
                }
                Err(error) => {
                    // Out of stack or memory: no stack text, and no exception left behind.
                    if error.is_exception() {
                        let _ = ctx.catch();
                    }
                    Ok(JsValue::new_undefined(ctx))
                }
            }
        },
    )?;
    let error_constructor: Object<'js> = ctx.globals().get("Error")?;
    // The accessor's setter installs the function in QuickJS ...
    error_constructor.set("prepareStackTrace", prepare.clone())?;
    // ... and a read-only data property then replaces the accessor.
    error_constructor.prop("prepareStackTrace", Property::from(prepare))?;
    Ok(())
}

/// QuickJS's own stack format (`    at f (file.js:3:5)`), except that a module's top-level
/// code (a function with no `name` property at all, unlike anonymous functions, whose name
/// is "") reads `<main>`.
const STACK_FORMAT: &str = r#"(() => {
  const hasOwn = Function.prototype.call.bind(Object.prototype.hasOwnProperty);
  return function (error, sites) {
    let text = "";
    for (let index = 0; index < sites.length; index++) {
      const site = sites[index];
      const name = site.getFunctionName();
      const fn = site.getFunction();
      const where = site.getFileName() + ":" + site.getLineNumber() + ":" + site.getColumnNumber();
      if (name === null && fn === null) {
        // A syntax error's position.
        text += "    at " + where + "\n";
      } else {
        const label = name !== null ? name
          : (typeof fn === "function" && !hasOwn(fn, "name") ? "<main>" : "<anonymous>");
        text += "    at " + label + (site.isNative() ? " (native)\n" : " (" + where + ")\n");
      }
    }
    return text;
  };
})();"#;

fn names(function: &HostFunction) -> impl Iterator<Item = &'static str> + '_ {
    iter::once(function.name).chain(function.aliases.iter().copied())
}

/// A module's object. When the module has a capitalised alias and a function aliased `new`,
/// the object is a constructor calling that function (`new Agent({...})`).
fn module_object<'js>(ctx: &Ctx<'js>, state: &Rc<State>, module: &HostModule) -> rquickjs::Result<Object<'js>> {
    let capitalised = module.aliases.iter().any(|alias| alias.starts_with(|first: char| first.is_uppercase()));
    let create = module.functions.iter().find(|function| function.name == "new" || function.aliases.contains(&"new"));
    let object = match create {
        Some(create) if capitalised => {
            let constructor =
                host_function(ctx, state, create.clone(), module.qualified(create.name), None)?.with_constructor(true);
            let display = module.aliases.iter().find(|alias| alias.starts_with(|first: char| first.is_uppercase()));
            constructor.set_name(display.copied().unwrap_or(module.name))?;
            constructor.into_value().into_object().ok_or(rquickjs::Error::Unknown)?
        }
        _ => Object::new(ctx.clone())?,
    };
    for function in &module.functions {
        let bound = host_function(ctx, state, function.clone(), module.qualified(function.name), None)?;
        for name in names(function) {
            // `prop`, not `set`: a function object's own `name` and `length` are read-only.
            object.prop(name, Property::from(bound.clone()).writable().enumerable().configurable())?;
        }
    }
    Ok(object)
}

/// `console.log/info/debug` call the registry's global `print`; `warn`/`error` write the
/// same text to stderr.
fn console<'js>(ctx: &Ctx<'js>, state: &Rc<State>) -> rquickjs::Result<Object<'js>> {
    let console = Object::new(ctx.clone())?;
    let print = state
        .registry
        .modules
        .iter()
        .filter(|module| matches!(module.kind, ModuleKind::Globals))
        .find_map(|module| module.find("print").map(|function| (module, function)));
    let log = match print {
        Some((module, function)) => host_function(ctx, state, function.clone(), module.qualified(function.name), None)?,
        None => text_writer(ctx, state, |text| println!("{text}"))?,
    };
    for name in ["log", "info", "debug"] {
        console.set(name, log.clone())?;
    }
    let stderr = text_writer(ctx, state, |text| eprintln!("{text}"))?;
    for name in ["warn", "error"] {
        console.set(name, stderr.clone())?;
    }
    Ok(console)
}

/// A function writing its arguments as `print` does, to `write`.
fn text_writer<'js>(ctx: &Ctx<'js>, state: &Rc<State>, write: fn(&str)) -> rquickjs::Result<Function<'js>> {
    let state = state.clone();
    Function::new(ctx.clone(), move |ctx: Ctx<'js>, args: Rest<JsValue<'js>>| -> rquickjs::Result<()> {
        let mut parts = Vec::with_capacity(args.0.len());
        for argument in &args.0 {
            let value = to_value(&ctx, &state, argument).map_err(|error| throw_error(&ctx, &state, error))?;
            parts.push(value.to_display());
        }
        write(&parts.join(" "));
        Ok(())
    })
}

/// A host function (or method, when `method_of` names the object type) as a JS function.
fn host_function<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<State>,
    function: HostFunction,
    qualified: String,
    method_of: Option<&'static str>,
) -> rquickjs::Result<Function<'js>> {
    let name = function.name;
    let captured = state.clone();
    let bound = Function::new(
        ctx.clone(),
        move |ctx: Ctx<'js>, this: This<JsValue<'js>>, args: Rest<JsValue<'js>>| -> rquickjs::Result<JsValue<'js>> {
            call_host(&ctx, &captured, &function, &qualified, method_of, this.0, args.0)
        },
    )?
    .with_name(name)?;
    state.callable_class.set(class_of(&bound));
    Ok(bound)
}

fn call_host<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<State>,
    function: &HostFunction,
    qualified: &str,
    method_of: Option<&'static str>,
    this: JsValue<'js>,
    args: Vec<JsValue<'js>>,
) -> rquickjs::Result<JsValue<'js>> {
    State::forget_backtrace(ctx);
    if let Some(fatal) = state.guards.check() {
        return Err(throw_error(ctx, state, fatal));
    }
    let receiver = match method_of {
        Some(type_name) => match this.as_object().and_then(|object| host_object_of(state, object)) {
            Some(object) if object.type_name() == type_name => Some(Value::Object(object)),
            _ => {
                let error = HostError::invalid_argument(format!(
                    "{qualified}: called without its object (call it as a method of a {type_name})"
                ));
                return Err(throw_error(ctx, state, error));
            }
        },
        None => None,
    };
    let mut values = Vec::with_capacity(args.len());
    for argument in &args {
        values.push(to_value(ctx, state, argument).map_err(|error| throw_error(ctx, state, error))?);
    }
    let invocation = std::panic::catch_unwind(AssertUnwindSafe(|| function.invoke(qualified, receiver, values)))
        .unwrap_or_else(|panic| {
            Invocation::Ready(Err(HostError::internal(format!("{qualified} panicked: {}", panic_text(&panic)))))
        });
    match invocation {
        Invocation::Ready(result) if !function.is_async() => match result {
            Ok(value) => to_js(ctx, state, value),
            Err(error) => Err(throw_error(ctx, state, error)),
        },
        Invocation::Ready(result) => {
            // An I/O-bound function always answers with a Promise, even when it fails at once.
            let (promise, resolve, reject) = ctx.promise()?;
            match result {
                Ok(value) => resolve.call::<_, ()>((to_js(ctx, state, value)?,))?,
                Err(error) => reject.call::<_, ()>((error_value(ctx, state, error)?,))?,
            }
            Ok(promise.into_value())
        }
        Invocation::Pending(future) => {
            let (promise, resolve, reject) = ctx.promise()?;
            // Made now, so a rejection's stack points at the line that made the call.
            let error = Exception::from_message(ctx.clone(), "")?.into_object();
            State::forget_backtrace(ctx);
            let id = state.add_pending(PendingCall {
                resolve: Persistent::save(ctx, resolve),
                reject: Persistent::save(ctx, reject),
                error: Persistent::save(ctx, error),
                abort: None,
            });
            let completions = state.completions.clone();
            let sender = state.sender.clone();
            let task = io_runtime().spawn(async move {
                let result = AssertUnwindSafe(future).catch_unwind().await.unwrap_or_else(|panic| {
                    Err(HostError::internal(format!("an I/O-bound host call panicked: {}", panic_text(&panic))))
                });
                if let Ok(mut queue) = completions.lock() {
                    queue.push_back((id, result));
                }
                // An empty job wakes the spell thread up.
                sender.post(Box::new(|| {}));
            });
            state.set_abort(id, task.abort_handle());
            Ok(promise.into_value())
        }
    }
}

/// Settles the Promise of a finished I/O-bound call.
pub(super) fn settle<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<State>,
    id: u64,
    result: Result<Value, HostError>,
) -> rquickjs::Result<()> {
    let Some(call) = state.take_pending(id) else {
        return Ok(());
    };
    let result = match result {
        Ok(value) => match to_js(ctx, state, value) {
            Ok(value) => Ok(value),
            Err(error) => Err(super::convert::caught(ctx, state, error)),
        },
        Err(error) => Err(error),
    };
    match result {
        Ok(value) => call.resolve.restore(ctx)?.call::<_, ()>((value,)),
        Err(error) => {
            note_fatal_code(state, &error);
            let reason = match state.guards.check() {
                Some(fatal) => host_error_object(ctx, &fatal, true)?.into_value(),
                None => match state.take_callback_error(&error) {
                    Some(original) => original.restore(ctx)?,
                    None => {
                        let object = call.error.restore(ctx)?;
                        object.set("message", error.message.as_str())?;
                        object.set("code", error.code.as_str())?;
                        object.into_value()
                    }
                },
            };
            call.reject.restore(ctx)?.call::<_, ()>((reason,))
        }
    }
}

/// The value a failed host call throws: the sticky fatal error (uncatchable) when the spell
/// must end, the script's own error when a callback raised it, else an `Error` with `.code`.
fn error_value<'js>(ctx: &Ctx<'js>, state: &State, error: HostError) -> rquickjs::Result<JsValue<'js>> {
    note_fatal_code(state, &error);
    if let Some(fatal) = state.guards.check() {
        return Ok(host_error_object(ctx, &fatal, true)?.into_value());
    }
    if let Some(original) = state.take_callback_error(&error) {
        return original.restore(ctx);
    }
    Ok(host_error_object(ctx, &error, false)?.into_value())
}

/// A host error reporting a limit ([`HostError::is_fatal`]: a stack overflow, say events
/// re-emitted from their own handler, exhausted memory or the instruction budget) ends the
/// spell like the engine's own limits: the script cannot catch it. A `timeout` or
/// `terminated` from a host call ends it only when the spell's own deadline passed or it was
/// cancelled, which the guards see for themselves.
fn note_fatal_code(state: &State, error: &HostError) {
    if error.is_fatal() && !matches!(error.code.as_str(), codes::TIMEOUT | codes::TERMINATED) {
        state.guards.set_fatal(error.clone());
    }
}

/// Throws what [`error_value`] gives.
pub(super) fn throw_error<'js>(ctx: &Ctx<'js>, state: &State, error: HostError) -> rquickjs::Error {
    match error_value(ctx, state, error) {
        Ok(value) => ctx.throw(value),
        Err(error) => error,
    }
}

/// The handle of a host object, with its type's prototype.
pub(super) fn host_handle<'js>(ctx: &Ctx<'js>, state: &Rc<State>, object: HostRef) -> rquickjs::Result<Object<'js>> {
    let prototype = prototype_for(ctx, state, object.type_name())?;
    let handle = Class::instance_proto(HostHandle(object), prototype)?.into_inner();
    state.plain_class.set(class_of(&handle));
    Ok(handle)
}

/// The host object behind a handle.
pub(super) fn host_object_of<'js>(state: &State, object: &Object<'js>) -> Option<HostRef> {
    if !has_class(object, state.plain_class.get()) {
        return None;
    }
    let handle = Class::<HostHandle>::from_object(object)?;
    let object = handle.borrow().0.clone();
    Some(object)
}

/// The host callable behind a function made by [`callable_to_js`].
pub(super) fn host_callable_of<'js>(state: &State, function: &Function<'js>) -> Option<Callable> {
    if !has_class(function, state.callable_class.get()) {
        return None;
    }
    let handle = Class::<CallableHandle>::from_object(function)?;
    let callable = handle.borrow().0.clone();
    Some(callable)
}

/// Whether the object is of the QuickJS class `class_id` (0: none seen yet). Checked before
/// `Class::from_object`, which on a foreign object makes QuickJS build and discard a
/// TypeError: slow for every plain object converted.
fn has_class(object: &Object<'_>, class_id: u32) -> bool {
    class_id != 0 && class_of(object) == class_id
}

/// The QuickJS class id of an object.
fn class_of(object: &Object<'_>) -> u32 {
    // SAFETY: reading the class id of a live value.
    unsafe { rquickjs::qjs::JS_GetClassID(object.as_raw()) }
}

/// A host callable as a script function: the script's own function when it came from this
/// spell, else a function calling the callable.
pub(super) fn callable_to_js<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<State>,
    callable: Callable,
) -> rquickjs::Result<Function<'js>> {
    if let Some(original) = state.original_function(&callable) {
        return original.restore(ctx);
    }
    let handle = Class::instance_proto(CallableHandle(callable), Function::prototype(ctx.clone()))?;
    handle
        .into_value()
        .into_function()
        .ok_or_else(|| rquickjs::Exception::throw_internal(ctx, "a host function handle is not callable"))
}

/// The prototype shared by every handle of one host object type: its methods (by name and
/// alias) and a getter per declared field.
fn prototype_for<'js>(ctx: &Ctx<'js>, state: &Rc<State>, type_name: &'static str) -> rquickjs::Result<Object<'js>> {
    if let Some(prototype) = state.prototype(type_name) {
        return prototype.restore(ctx);
    }
    let prototype = Object::new(ctx.clone())?;
    let registry = state.registry.clone();
    let mut has_to_string = false;
    if let Some(object_type) = registry.object_type(type_name) {
        for method in &object_type.methods {
            let qualified = format!("{}.{}", object_type.name, method.name);
            let bound = host_function(ctx, state, method.clone(), qualified, Some(object_type.name))?;
            for name in names(method) {
                has_to_string |= name == "toString";
                prototype.prop(name, Property::from(bound.clone()).writable().configurable())?;
            }
        }
        for field in &object_type.fields {
            let field_name = field.name;
            let getter_state = state.clone();
            let getter = move |ctx: Ctx<'js>, this: This<JsValue<'js>>| -> rquickjs::Result<JsValue<'js>> {
                let object = this.0.as_object().and_then(|object| host_object_of(&getter_state, object));
                let value = object.and_then(|object| object.0.field(field_name)).unwrap_or(Value::Nil);
                to_js(&ctx, &getter_state, value)
            };
            prototype.prop(field_name, Accessor::new_get(getter).enumerable().configurable())?;
        }
    }
    if !has_to_string {
        let to_string_state = state.clone();
        let to_string = Function::new(ctx.clone(), move |this: This<JsValue<'js>>| -> String {
            match this.0.as_object().and_then(|object| host_object_of(&to_string_state, object)) {
                Some(object) => object.0.display(),
                None => "<object>".to_owned(),
            }
        })?
        .with_name("toString")?;
        prototype.prop("toString", Property::from(to_string).writable().configurable())?;
    }
    state.set_prototype(type_name, Persistent::save(ctx, prototype.clone()));
    Ok(prototype)
}

pub(super) fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_owned())
}
