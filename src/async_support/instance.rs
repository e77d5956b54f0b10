//! `Instance::new_async`: the C API has no async `wasmtime_instance_new`, so
//! the imports are defined, in order, in a linker of their own, which
//! instantiates asynchronously.

use crate::error::{ErrorKind, Result};
use crate::instance::{Extern, Instance};
use crate::linker::Linker;
use crate::module::Module;
use crate::store::AsContextMut;

impl Instance {
    /// Instantiates `module` with `imports` (in the order of
    /// [`Module::imports`]) as a future, as the `wasmtime` crate's
    /// `Instance::new_async`: needed when the start function reaches an
    /// async host function or the store yields.
    ///
    /// ```no_run
    /// use wasmtime_dyn::{Func, Instance, Module, Store};
    /// # async fn run(mut store: Store<()>, module: Module) -> wasmtime_dyn::Result<()> {
    /// let log = Func::wrap(&mut store, |x: i32| println!("{x}"));
    /// let instance = Instance::new_async(&mut store, &module, &[log.into()]).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// The C API instantiates asynchronously only through a linker: the
    /// imports are defined under their names in a temporary one, so a
    /// module importing one name twice is refused
    /// ([`ErrorKind::Invalid`]) rather than given two items, and the
    /// store's data must be `'static` (a [`Linker`]'s is).
    ///
    /// # Errors
    ///
    /// As [`Instance::new`];
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)`(Async)` for
    /// a library without async.
    pub async fn new_async(
        mut store: impl AsContextMut<Data: 'static>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        let linker = {
            let mut cx = store.as_context_mut();
            super::async_table(cx.wasmtime())?;
            if !crate::Engine::same(cx.engine(), module.engine()) {
                return Err(ErrorKind::WrongEngine("the module", "the store").into());
            }
            let expected = module.try_imports()?;
            if expected.len() != imports.len() {
                return Err(ErrorKind::Invalid(format!(
                    "the module has {} imports, but {} were given",
                    expected.len(),
                    imports.len()
                ))
                .into());
            }
            let mut linker = Linker::new(module.engine());
            let mut seen = std::collections::HashSet::new();
            for (ty, item) in expected.zip(imports) {
                if !seen.insert((ty.module(), ty.name())) {
                    return Err(ErrorKind::Invalid(format!(
                        "the module imports `{}::{}` more than once, which \
                         `Instance::new_async` cannot bind (the C API instantiates \
                         asynchronously only by name, through a linker)",
                        ty.module(),
                        ty.name()
                    ))
                    .into());
                }
                linker.define(&mut cx, ty.module(), ty.name(), item.clone())?;
            }
            linker
        };
        linker.instantiate_async_any(&mut store, module).await
    }
}
