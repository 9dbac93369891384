//! Small drawing and editing pieces shared by the screens.

pub mod editor;
pub mod frame;
pub mod marked;
pub mod report;
