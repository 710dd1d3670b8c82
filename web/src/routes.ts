// Route metadata shared by every area. An area (counter/, supervision/, studio/, portal/) exports
// its routes from its routes.ts; the shell builds the menu from the routes' meta.
import 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page's title and menu entry */
    title?: string
    /** roles that may open the page (admins too); none: every signed-in user */
    roles?: string[]
    /** shown in the menu, under the group of that i18n key */
    menu?: string
    /** reachable without signing in (the portal) */
    public?: boolean
  }
}
