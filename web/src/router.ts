/** Routes: public /login, everything else behind the session check. Adding a page = a route + a nav link + its i18n keys. */
import { createRouter, createWebHistory } from 'vue-router';
import { isLoggedIn } from './composables/use-session';
import LoginPage from './pages/LoginPage.vue';
import SystemPage from './pages/SystemPage.vue';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
    { path: '/', name: 'system', component: SystemPage },
    // Loaded on demand: the Markdown renderer and sanitizer stay out of the initial bundle.
    { path: '/updates', name: 'updates', component: () => import('./pages/UpdatesPage.vue') },
    { path: '/licences', name: 'licences', component: () => import('./pages/LicencesPage.vue') },
    { path: '/history', name: 'history', component: () => import('./pages/HistoryPage.vue') },
    { path: '/maintenance', name: 'maintenance', component: () => import('./pages/MaintenancePage.vue') },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
});

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  try {
    if (await isLoggedIn()) return true;
  } catch {
    // The server could not be asked; the login page says so when the user tries.
  }
  return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
});
